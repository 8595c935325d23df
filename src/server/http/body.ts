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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit * 16) throw tooLarge(); // leaving the loop destroys the stream
    if (size <= limit) chunks.push(buffer);
  }
  if (size > limit) throw tooLarge();
  return Buffer.concat(chunks);
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
