/**
 * A deep copy of a JSON value (what the store and the intake hand the bot: parsed JSON, never
 * dates, maps or cycles). Every turn copies the chat's context, state and the event's data so
 * the bot may change what it is given; `structuredClone` does that through a serialiser and cost
 * a tenth of the runtime's own time per activation in the profile, this walk a small part of it.
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => copyJson(item)) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const inner = copyJson((value as Record<string, unknown>)[key]);
    // `__proto__` is an ordinary key of parsed JSON: kept as an own property, never a prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: inner, enumerable: true, writable: true, configurable: true });
    else copy[key] = inner;
  }
  return copy as T;
}
