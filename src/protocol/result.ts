/**
 * A parse result: either the value or a message saying what was wrong.
 * Used at every edge (frames, HTTP bodies, options, storage) instead of throwing.
 */
import { CONTEXT_CHARS, JSON_DEPTH } from './limits';

const MAX_JSON_DEPTH = JSON_DEPTH;

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: string): Result<T> => ({ ok: false, error });

/** A plain JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deepest nesting of arrays and objects in a JSON text (0 for a scalar). Iterative and linear,
 * so it cannot itself overflow the stack; meant for text that is valid JSON.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return max;
}

/**
 * `value` as JSON text (from `stringify`, the current `JSON.stringify` by default) nested at most
 * `Limits.jsonDepth` deep; `undefined` when it cannot be serialised (cycles, BigInt, a throwing
 * getter or toJSON, a stack overflow) or nests deeper.
 */
export function jsonText(value: unknown, stringify: (value: unknown) => unknown = JSON.stringify): string | undefined {
  try {
    const text = stringify(value);
    if (typeof text === 'string' && jsonDepth(text) <= MAX_JSON_DEPTH) return text;
  } catch {
    // No JSON text.
  }
  return undefined;
}

/** The UTF-16 length of {@link jsonText}; `Infinity` when there is none. */
export const jsonSize = (value: unknown): number => jsonText(value)?.length ?? Infinity;

/** A plain JSON object whose JSON fits `Limits.contextChars`: a valid context or page-event body. */
export const isBoundedObject = (value: unknown): value is JsonObject => isObject(value) && jsonSize(value) <= CONTEXT_CHARS;

/** Reads an optional string field no longer than `max`; `undefined` when absent. */
export function optionalString(
  source: JsonObject,
  key: string,
  max: number,
): Result<string | undefined> {
  const value = source[key];
  if (value === undefined) return ok(undefined);
  if (typeof value !== 'string') return fail(`${key} must be a string`);
  if (value.length > max) return fail(`${key} must be at most ${max} characters`);
  return ok(value);
}

/** Reads a required non-empty string field no longer than `max`. */
export function requiredString(source: JsonObject, key: string, max: number): Result<string> {
  const value = source[key];
  if (typeof value !== 'string' || value.length === 0) return fail(`${key} must be a non-empty string`);
  if (value.length > max) return fail(`${key} must be at most ${max} characters`);
  return ok(value);
}

/** Reads an optional JSON object field whose serialised size is at most `maxBytes`. */
export function optionalObject(
  source: JsonObject,
  key: string,
  maxChars: number,
): Result<JsonObject | undefined> {
  const value = source[key];
  if (value === undefined) return ok(undefined);
  if (!isObject(value)) return fail(`${key} must be an object`);
  const text = jsonText(value);
  if (text === undefined) {
    return fail(`${key} must be plain JSON nested at most ${MAX_JSON_DEPTH} levels deep`);
  }
  if (text.length > maxChars) return fail(`${key} must serialise to at most ${maxChars} characters`);
  return ok(value);
}

/** Reads an optional non-negative safe integer. */
export function optionalSeq(source: JsonObject, key: string): Result<number | undefined> {
  const value = source[key];
  if (value === undefined) return ok(undefined);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return fail(`${key} must be a non-negative integer`);
  }
  return ok(value);
}
