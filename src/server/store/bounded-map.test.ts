import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('drops the least recently used entry past its bound', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // 'a' is now the most recent
    m.set('c', 3);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    expect(m.get('c')).toBe(3);
    expect(m.size).toBe(2);
  });

  it('replaces, deletes and clears', () => {
    const m = new BoundedMap<string, number>(3);
    m.set('a', 1);
    m.set('a', 2);
    expect(m.get('a')).toBe(2);
    m.delete('a');
    expect(m.get('a')).toBeUndefined();
    m.set('b', 1);
    m.clear();
    expect(m.size).toBe(0);
    expect(() => new BoundedMap(0)).toThrow(TypeError);
  });

  it('reorders on reads only past half its bound, and replace keeps the key in place', () => {
    const m = new BoundedMap<string, number>(6);
    ['a', 'b', 'c'].forEach((k, i) => m.set(k, i));
    expect(m.get('a')).toBe(0); // half full: no reorder, 'a' stays the oldest
    ['d', 'e', 'f'].forEach((k, i) => m.set(k, i));
    expect(m.get('b')).toBe(1); // past half: 'b' becomes the most recent
    expect(m.replace('c', (v) => v + 10)).toBe(true); // 'c' keeps its place
    expect(m.replace('zz', (v) => v)).toBe(false);
    m.set('g', 0); // drops 'a'
    m.set('h', 0); // drops 'c' (replaced, not moved)
    expect(m.get('a')).toBeUndefined();
    expect(m.get('c')).toBeUndefined();
    expect(m.get('b')).toBe(1);
    m.set('i', 0); // drops 'd'; 'b' was read after 'd' was written
    expect(m.get('d')).toBeUndefined();
    expect(m.get('b')).toBe(1);
  });
});
