/**
 * Argument checks the client makes at once, before anything is queued: a bad call fails with a
 * TypeError instead of a server round trip. Here, not in outbox-items.ts, because page events
 * are checked in the first load too, while the queues that send them may still be loading.
 */
import { CONTEXT_CHARS, NAME_CHARS, isObject, jsonSize } from '../protocol';

/**
 * A non-empty string of at most {@link NAME_CHARS}: an event id, an alias, a custom id, the
 * widget's `organization` and `endpoint` (src/api/options.ts).
 */
export function checkName(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  if (value.length > NAME_CHARS) throw new TypeError(`${name} must be at most ${NAME_CHARS} characters`);
  return value;
}

/** Checks that `value` is a plain object of bounded JSON size: a page event's body, a context. */
export function checkBounded(value: unknown, name: string): void {
  if (!isObject(value)) throw new TypeError(`${name} must be a plain object`);
  if (jsonSize(value) > CONTEXT_CHARS) throw new TypeError(`${name} must serialise to at most ${CONTEXT_CHARS} characters of JSON`);
}

/** Checks a page event's `alias` and optional `body` (a plain object of bounded JSON size). */
export function checkPageEvent(alias: unknown, body: unknown): void {
  checkName(alias, 'alias');
  if (body !== undefined) checkBounded(body, 'body');
}
