/**
 * Argument checks the client makes at once, before anything is queued: a bad call fails with a
 * TypeError instead of a server round trip. Here, not in outbox-items.ts, because page events
 * are checked in the first load too, while the queues that send them may still be loading.
 */
import { CONTEXT_CHARS, NAME_CHARS, isObject, jsonSize } from '../protocol';

/** A non-empty string of at most {@link NAME_CHARS}: an event id, an alias, a custom id. */
export function checkName(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '' || value.length > NAME_CHARS) {
    throw new TypeError(`${name} must be a non-empty string of at most ${NAME_CHARS} characters`);
  }
  return value;
}

/** Checks a page event's `alias` and optional `body` (a plain object of bounded JSON size). */
export function checkPageEvent(alias: unknown, body: unknown): void {
  checkName(alias, 'alias');
  if (body === undefined) return;
  if (!isObject(body)) throw new TypeError('body must be a plain object');
  if (jsonSize(body) > CONTEXT_CHARS) throw new TypeError(`body must serialise to at most ${CONTEXT_CHARS} characters of JSON`);
}
