import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStoreContract } from './contract';
import { openSqliteStore } from './sqlite';

describeStoreContract('SQLite', async (options) => openSqliteStore(':memory:', options));

// On a file with synchronous = FULL, batches fsync off the main thread (wal-sync.ts) and a worker
// checkpoints: the same contract must hold.
const dir = mkdtempSync(join(tmpdir(), 'roundel-sqlite-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
describeStoreContract('SQLite on a file (fsync off the main thread)', async (options) =>
  openSqliteStore(join(dir, `store-${(n += 1)}.db`), options),
);
