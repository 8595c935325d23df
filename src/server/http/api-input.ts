/** Parsing management API input (bodies, fields, query parameters); every failure is a 400 naming the field. */
import type { IncomingMessage } from 'node:http';
import { Limits, isObject, jsonSize, type JsonObject } from '../../protocol';
import { parseJsonObject, readBody } from './body';
import { HttpError } from './errors';

/** Largest management API request body (1 MiB); larger ones are answered 413. */
export const API_BODY_BYTES = 1024 * 1024;

/** Reads the body as a JSON object. @throws HttpError 413 over {@link API_BODY_BYTES}, 400 when not an object. */
export async function readObject(req: IncomingMessage): Promise<JsonObject> {
  const body = parseJsonObject(await readBody(req, API_BODY_BYTES));
  if (!body) throw new HttpError('validation', 'request body must be a JSON object');
  return body;
}

/** True for a non-empty string of at most `Limits.nameChars` characters (ids, event names). */
export function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= Limits.nameChars;
}

/** `body[key]` as a name. @throws HttpError 400 naming `key`. */
export function requiredName(body: JsonObject, key: string): string {
  const value = body[key];
  if (!isName(value)) {
    throw new HttpError('validation', `${key} must be a non-empty string of at most ${Limits.nameChars} characters`);
  }
  return value;
}

/** `value` as event data: a JSON object of at most `Limits.contextChars` serialised characters. */
export function eventData(value: unknown, key: string): JsonObject {
  if (!isObject(value)) throw new HttpError('validation', `${key} must be a JSON object`);
  if (jsonSize(value) > Limits.contextChars) {
    throw new HttpError('validation', `${key} must serialise to at most ${Limits.contextChars} characters`);
  }
  return value;
}

/** An integer query parameter in `[min, max]`, or `fallback` when absent. */
export function integerParam(url: URL, key: string, fallback: number, min: number, max: number): number {
  const text = url.searchParams.get(key);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new HttpError('validation', `${key} must be an integer from ${min} to ${max}`);
  }
  return value;
}
