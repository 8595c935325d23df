/**
 * Argument checks shared by `init` options and the API methods: bad input is a `TypeError` naming
 * it. They use only built-ins captured at load (hostile.ts) and own properties, so a page that
 * replaces `JSON` or `Array.prototype` methods, or pollutes `Object.prototype`, cannot make valid
 * input fail.
 */
import { CONTEXT_CHARS, jsonText as protocolJsonText } from '../protocol';
import { jsonWorks, parseJson, stringifyJson } from './hostile';

/** An object literal (or `Object.create(null)`): not an array, a Date, a class instance or a DOM node. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `object[key]` when `object` has it as its own property (an inherited, polluted one does not count). */
export const own = (object: object, key: string): unknown => (Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined);

/** Whether `list` holds `value` (`includes` without `Array.prototype`, which the page may have replaced). */
export function isOneOf(value: unknown, list: readonly unknown[]): boolean {
  for (const item of list) if (item === value) return true;
  return false;
}

/** `value` as JSON text nested at most `Limits.jsonDepth` deep, or `undefined` (protocol's `jsonText`, with the captured `JSON`). */
const jsonText = (value: unknown): string | undefined => protocolJsonText(value, stringifyJson);

/**
 * Whether `value` is a plain object whose JSON fits `CONTEXT_CHARS` (a valid context or
 * page-event body). Always true for plain objects on a page that broke `JSON` before we loaded:
 * no size can be measured there, and that is not the caller's mistake.
 */
export const isJsonObject = (value: unknown): boolean =>
  isPlainObject(value) && (!jsonWorks || (jsonText(value)?.length ?? Infinity) <= CONTEXT_CHARS);

/**
 * A JSON copy of a plain object no larger than the protocol allows, so later changes by the
 * host page cannot alter what was validated. Throws `TypeError(message(...))` otherwise. On a page
 * that broke `JSON` before we loaded, a shallow copy.
 */
export function jsonObject(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new TypeError(`${what} must be a plain object`);
  if (!jsonWorks) return { ...value };
  const text = jsonText(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON-serialisable`);
  if (text.length > CONTEXT_CHARS) throw new TypeError(`${what} must serialise to at most ${CONTEXT_CHARS} characters`);
  return parseJson(text) as Record<string, unknown>;
}

/** A non-empty string of at most `NAME_CHARS` (the client's check: one for both). */
export { checkName as name } from '../client';
