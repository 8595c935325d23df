/**
 * `GET /files/{id}` (docs/http-api.md, "Visitor files"): the file's bytes, to the chat's own
 * visitor (`Authorization: Bearer <session token>`) or to whoever holds a signed, unexpired URL
 * (`?expires=&signature=`, files/urls.ts). Served so that no browser ever runs it as a page of
 * this origin: the sniffed type only, `nosniff`, a `sandbox` policy, and as a download unless it
 * is one of the safe image types.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { contentDisposition } from '../files/name';
import { INLINE_IMAGE_TYPES } from '../files/sniff';
import type { StoredFile } from '../store/files-types';
import { forbidden, unauthenticated, visitorChat } from './files-access';
import { HttpError } from './errors';

/** The path of a file: `/files/{id}`. */
export const FILE_PATH = /^\/files\/([^/]{1,100})$/;

/** How long a browser may keep a file fetched through a signed URL: at most this, and never past the URL's expiry. */
const MAX_CACHE_S = 3600;

/** The stored file `id`, when the request may read it. Signed URLs are checked before the store is read. */
async function authorizedFile(app: App, req: IncomingMessage, url: URL, id: string): Promise<{ file: StoredFile; cacheSeconds: number }> {
  const signature = url.searchParams.get('signature');
  if (signature !== null || url.searchParams.has('expires')) {
    const expires = url.searchParams.get('expires');
    const check = app.fileUrls.check(id, expires, signature);
    if (check === 'invalid') throw unauthenticated('the file link is not valid');
    if (check === 'expired') throw forbidden('the file link has expired');
    const file = await app.store.files.get(id);
    if (!file) throw new HttpError('not_found', 'no such file');
    const left = Math.floor((Number(expires) * 1000 - Date.now()) / 1000);
    return { file, cacheSeconds: Math.max(0, Math.min(MAX_CACHE_S, left)) };
  }
  const chat = await visitorChat(app, req);
  const file = await app.store.files.get(id);
  if (!file) throw new HttpError('not_found', 'no such file');
  if (file.chatId !== chat.id) throw forbidden('this file belongs to another chat');
  return { file, cacheSeconds: 0 };
}

/** Answers `GET`/`HEAD /files/{id}`. */
export async function sendFile(app: App, req: IncomingMessage, res: ServerResponse, url: URL, id: string): Promise<void> {
  const { file, cacheSeconds } = await authorizedFile(app, req, url, id);
  const inline = INLINE_IMAGE_TYPES.has(file.contentType);
  res.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Length': file.size,
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', file.name),
    'X-Content-Type-Options': 'nosniff',
    // Opened directly, even a mislabelled file is an opaque-origin document without scripts.
    'Content-Security-Policy': 'sandbox',
    // Host pages on other origins show the images (also under Cross-Origin-Embedder-Policy).
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': cacheSeconds > 0 ? `private, max-age=${cacheSeconds}` : 'private, no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : file.data);
}
