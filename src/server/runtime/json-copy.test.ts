import { describe, expect, it } from 'vitest';
import { copyJson } from './json-copy';

describe('copyJson', () => {
  it('copies nested objects and arrays deeply, equal but not shared', () => {
    const value = Object.freeze({ a: 1, b: 'x', c: null, d: true, e: Object.freeze([1, Object.freeze({ f: 2 })]), g: Object.freeze({ h: Object.freeze([]) }) });
    const copy = copyJson(value);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
    expect(copy.e).not.toBe(value.e);
    expect(copy.e[1]).not.toBe(value.e[1]);
    // The copy of a frozen value can be changed.
    (copy.g.h as unknown as unknown[]).push(3);
    expect(value.g.h).toEqual([]);
    expect(Object.isFrozen(copy)).toBe(false);
  });

  it('keeps a parsed __proto__ key as an own property, not a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
    const copy = copyJson(value);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'x']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
  });

  it('returns primitives as they are', () => {
    expect(copyJson(5)).toBe(5);
    expect(copyJson('s')).toBe('s');
    expect(copyJson(null)).toBe(null);
  });
});
