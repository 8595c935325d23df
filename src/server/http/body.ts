/** Reading request bodies with a size limit, and parsing them as a JSON object. */
import type { IncomingMessage } from 'node:http';
import { Limits, isObject, jsonDepth, type JsonObject } from '../../protocol';
import { HttpError } from './errors';

/**
 * Reads the body, refusing (413) more than `limit` bytes. Past the limit the rest is read and
 * dropped up to 16x the limit, so the client gets the 413 instead of a reset; beyond that the
 * socket is destroyed.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new HttpError('entity_too_large', `request body must be at most ${limit} bytes`, { Connection: 'close' });
  // Declared far too large: answer at once; `Connection: close` drops the unread rest.
  if (Number.isFinite(declared) && declared > limit * 16) throw tooLarge();
  // Listeners, not `for await`: the async iterator costs a promise per chunk and its own stream
  // bookkeeping on every request (a few per cent of an activation's CPU in the profile).
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit * 16) {
        finish(tooLarge());
        req.destroy();
        return;
      }
      if (size <= limit) chunks.push(chunk);
    };
    const onEnd = () => {
      finish();
      if (size > limit) reject(tooLarge());
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    const onError = (error: Error) => finish(error);
    // Closed before its end (the client went away): nothing to answer, but the caller must not hang.
    const onClose = () => finish(new Error('request closed before its body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Parses a body as a JSON object (400 otherwise). An empty body gives undefined. */
export function parseJsonObject(body: Buffer): JsonObject | undefined {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError('validation', 'request body must be valid JSON');
  }
  if (!isObject(value)) throw new HttpError('validation', 'request body must be a JSON object');
  // Deep nesting parses, but would overflow the stack wherever the value is serialised later.
  if (jsonDepth(text) > Limits.jsonDepth) {
    throw new HttpError('validation', `request body must nest at most ${Limits.jsonDepth} levels deep`);
  }
  return value;
}
