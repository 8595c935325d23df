/** Argument checks shared by `init` options and the API methods: bad input is a `TypeError` naming it. */
import { jsonSize, Limits } from '../protocol';

/** An object literal (or `Object.create(null)`): not an array, a Date, a class instance or a DOM node. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A JSON copy of a plain object no larger than the protocol allows, so later changes by the
 * host page cannot alter what was validated. Throws `TypeError(message(...))` otherwise.
 */
export function jsonObject(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new TypeError(`${what} must be a plain object`);
  const size = jsonSize(value);
  if (size === Infinity) throw new TypeError(`${what} must be JSON-serialisable`);
  if (size > Limits.contextChars) throw new TypeError(`${what} must serialise to at most ${Limits.contextChars} characters`);
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** A non-empty string of at most `Limits.nameChars`. */
export function name(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty string`);
  if (value.length > Limits.nameChars) throw new TypeError(`${what} must be at most ${Limits.nameChars} characters`);
  return value;
}
