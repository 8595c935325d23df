/** Storages for tests: a working one, one that throws on every call, one holding garbage. */
import type { KeyValueStorage } from '../types';

export class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, string>();
  /** Counts setItem calls, to see that the client persists. */
  writes = 0;

  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Simulates a full quota: setItem throws while true. */
  failWrites = false;

  setItem(key: string, value: string): void {
    if (this.failWrites) throw new Error('QuotaExceededError');
    this.writes += 1;
    this.data.set(key, value);
  }

  removeItem(key: string): void {
    this.data.delete(key);
  }

  /** The stored value parsed, for assertions. */
  json(key: string): unknown {
    const text = this.data.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }
}

/** Private mode / blocked storage: every call throws. */
export class ThrowingStorage implements KeyValueStorage {
  calls = 0;

  getItem(): string | null {
    this.calls += 1;
    throw new Error('SecurityError: storage is disabled');
  }

  setItem(): void {
    this.calls += 1;
    throw new Error('QuotaExceededError');
  }

  removeItem(): void {
    this.calls += 1;
    throw new Error('SecurityError: storage is disabled');
  }
}
