/**
 * A Map that keeps at most `max` entries, dropping the least recently used one: the store's
 * read caches (chats, pushbacks) hold the hot working set, never the whole database.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  /** @param max entries kept; at least 1 */
  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new TypeError('max must be at least 1');
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the key to the end of the Map's insertion order: the most recent.
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
