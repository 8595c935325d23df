import { describe, expect, it } from 'vitest';
import { Limits } from './limits';
import { jsonDepth, jsonSize, optionalObject } from './result';

const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('jsonDepth', () => {
  it('measures nesting of arrays and objects, ignoring brackets inside strings', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(jsonDepth('["[[[[", "\\"]]]", {"k\\\\":"{"}]')).toBe(2);
    expect(jsonDepth('['.repeat(100_000) + ']'.repeat(100_000))).toBe(100_000);
  });
});

describe('jsonSize', () => {
  it('is Infinity for values nested deeper than Limits.jsonDepth, for cycles and for BigInt', () => {
    expect(jsonSize(nested(Limits.jsonDepth))).toBe(Limits.jsonDepth * 2);
    expect(jsonSize(nested(Limits.jsonDepth + 1))).toBe(Infinity);
    expect(jsonSize(nested(50_000))).toBe(Infinity);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonSize(cyclic)).toBe(Infinity);
    expect(jsonSize({ n: 1n })).toBe(Infinity);
  });
});

describe('optionalObject', () => {
  it('refuses objects nested too deep, even too deep for JSON.stringify', () => {
    const error = { ok: false, error: 'context must be plain JSON nested at most 32 levels deep' };
    expect(optionalObject({ context: { a: nested(Limits.jsonDepth) } }, 'context', 1e6)).toEqual(error);
    expect(optionalObject({ context: { a: nested(50_000) } }, 'context', 1e6)).toEqual(error);
    const ok = { a: nested(Limits.jsonDepth - 1) };
    expect(optionalObject({ context: ok }, 'context', 1e6)).toEqual({ ok: true, value: ok });
  });
});
