/**
 * SQLite stores on real files in temporary folders, for tests of what only a file has (the WAL,
 * its fsync, reopening): every store opened is closed, and every folder removed, after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openSqliteStore, type SqliteStoreOptions } from '../store/sqlite';
import type { Store } from '../store/types';

/** Registers the cleanup; `open()` makes a store in a new folder, `open({ path })` reopens a file (closing twice is harmless). */
export function useFileStores(prefix: string): (options?: SqliteStoreOptions & { path?: string }) => { store: Store; path: string } {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  return ({ path, ...options } = {}) => {
    let file = path;
    if (file === undefined) {
      const dir = mkdtempSync(join(tmpdir(), `roundel-${prefix}-`));
      dirs.push(dir);
      file = join(dir, 'roundel.db');
    }
    const store = openSqliteStore(file, options);
    stores.push(store);
    return { store, path: file };
  };
}
