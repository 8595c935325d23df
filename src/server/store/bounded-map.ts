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
    // Re-inserting moves the key to the end of the Map's insertion order: the most recent. Below
    // half the bound nothing is near eviction, so the reorder (a delete and a set on a Map of
    // thousands, on every activation's reads) waits until the order can matter.
    if (this.map.size > this.max / 2) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /** Replaces the value of a key that is present, keeping its place; false when absent. */
  replace(key: K, update: (value: V) => V): boolean {
    const value = this.map.get(key);
    if (value === undefined) return false;
    this.map.set(key, update(value));
    return true;
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
