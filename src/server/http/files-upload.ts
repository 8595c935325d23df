/**
 * `POST /files?organization=&endpoint=&name=` (docs/http-api.md, "Visitor files"): the widget
 * sends one file as the raw request body, with the visitor's session token. The type is sniffed
 * from the bytes (the client's `Content-Type` is ignored); the file is stored with the chat, and
 * its message goes through the chat's one intake: stored in the log (a `seq`, shown in every tab),
 * then handed to the bot's `onFile`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NAME_CHARS } from '../../protocol';
import type { App } from '../app';
import type { Accepted } from '../chat/service';
import { MAX_CONCURRENT_UPLOADS, MAX_FILE_BYTES } from '../files/limits';
import { cleanFileName } from '../files/name';
import { lingerThenClose, readUpload } from '../files/read-upload';
import { sniffContentType } from '../files/sniff';
import { createKeyedLimiter, type RateLimit } from '../rate-limit';
import { tooManyRequests } from '../security/client-guard';
import type { Redis } from 'ioredis';
import type { RequestContext } from './context';
import { forbidden, grantOrigin, queryEndpoint, visitorChat } from './files-access';
import { HttpError, writeJson } from './errors';

/** A custom id: printable ASCII, as the websocket's (parse-request.ts). */
const CUSTOM_ID = new RegExp(`^[\\x21-\\x7e]{1,${NAME_CHARS}}$`);

/** The answer to an upload: the stored file and its message. */
interface UploadAnswer {
  id: string;
  name: string;
  content_type: string;
  size: number;
  event_id: string;
  seq: number;
}

export interface UploadOptions {
  /** Uploads per chat. */
  rateLimit: RateLimit;
  /** Counts in Redis across nodes when given. */
  redis?: Redis;
}

/** Preflight of the upload: `Authorization` and `Content-Type` may be sent from an allowed origin. */
export function uploadPreflight(app: App, req: IncomingMessage, res: ServerResponse, url: URL): void {
  grantOrigin(app, queryEndpoint(app, url), req, res);
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'POST',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
    'Cache-Control': 'no-store',
  });
  res.end();
}

/** The upload handler (POST). */
export function createUpload(app: App, options: UploadOptions) {
  const limiter = createKeyedLimiter(options.rateLimit, { prefix: 'upload', redis: options.redis });
  let reading = 0;

  const fileName = (url: URL): string => {
    const name = cleanFileName(url.searchParams.get('name') ?? '');
    if (name === undefined) throw new HttpError('validation', 'name must be the file name: 1 to 255 characters, not a path');
    return name;
  };
  const customId = (url: URL): string | undefined => {
    const value = url.searchParams.get('custom_id');
    if (value === null) return undefined;
    if (!CUSTOM_ID.test(value)) throw new HttpError('validation', `custom_id must be 1 to ${NAME_CHARS} printable ASCII characters`);
    return value;
  };

  /** Reads the body; a refusal for size closes the connection after the client read the 413. */
  const read = async (req: IncomingMessage, res: ServerResponse): Promise<Buffer> => {
    if (reading >= MAX_CONCURRENT_UPLOADS) throw tooManyRequests('too many uploads at once; try again shortly', 1000);
    reading += 1;
    try {
      return await readUpload(req, MAX_FILE_BYTES);
    } catch (error) {
      if (error instanceof HttpError && error.status === 413) lingerThenClose(req, res);
      throw error;
    } finally {
      reading -= 1;
    }
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL, ctx: RequestContext): Promise<void> => {
    // Everything that needs no body first: a refused upload is refused before a byte is read.
    const endpoint = queryEndpoint(app, url);
    ctx.endpoint = endpoint.endpoint;
    grantOrigin(app, endpoint, req, res);
    const chat = await visitorChat(app, req);
    if (chat.endpoint !== endpoint.endpoint || chat.organization !== endpoint.organization) {
      throw forbidden('the session token belongs to another endpoint');
    }
    const name = fileName(url);
    const custom = customId(url);
    const waitMs = await limiter.take(chat.id);
    if (waitMs > 0) throw tooManyRequests('too many files; wait a moment', waitMs);

    const data = await read(req, res);
    if (data.length === 0) throw new HttpError('validation', 'the file is empty');
    const contentType = sniffContentType(data);
    if (contentType === undefined) {
      throw new HttpError('validation', 'this kind of file is not accepted (images, PDF, zip and plain text are)', {}, 415);
    }
    const file = { id: randomUUID(), name, contentType, size: data.length };
    await app.store.files.put({ ...file, chatId: chat.id, data });
    const eventId = randomUUID();
    let result: Awaited<ReturnType<typeof app.chats.ingest>>;
    try {
      result = await app.chats.ingest(chat.id, { kind: 'file', file, eventId, ...(custom === undefined ? {} : { customId: custom }) }, { requireOpen: true });
    } catch (error) {
      // Nothing shows the file: it must not stay behind (if this fails too, it goes with its chat).
      await app.store.files.delete(file.id).catch(() => false);
      throw error;
    }
    if (result.status !== 'accepted') await app.store.files.delete(file.id);
    if (result.status === 'missing') throw new HttpError('not_found', 'the chat no longer exists');
    if (result.status === 'closed') throw new HttpError('validation', 'this conversation is closed; start a new one', {}, 409);
    if (result.status === 'duplicate') {
      // The same custom_id again (a retry): the first upload's answer, nothing stored twice.
      const first = result.item.input;
      if (first.kind !== 'file') throw new HttpError('validation', 'custom_id was used for another message', {}, 409);
      return writeJson(res, 200, answer(first.file, first.eventId, result.seq ?? 0));
    }
    const accepted: Accepted = result;
    writeJson(res, 201, answer(file, eventId, accepted.push?.payload.seq ?? 0));
    accepted.release();
  };
}

function answer(file: { id: string; name: string; contentType: string; size: number }, eventId: string, seq: number): UploadAnswer {
  return { id: file.id, name: file.name, content_type: file.contentType, size: file.size, event_id: eventId, seq };
}
