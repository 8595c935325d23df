import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type CheckpointResult } from './sqlite-checkpointer';

describe('the checkpointer worker', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  const database = () => {
    const dir = mkdtempSync(join(tmpdir(), 'roundel-checkpoint-'));
    dirs.push(dir);
    const path = join(dir, 'x.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const fill = (rows: number) => db.transaction(() => {
      for (let i = 0; i < rows; i += 1) insert.run('x'.repeat(1000));
    })();
    return { path, db, fill };
  };

  it('copies the WAL into the database file on its own connection when poked', async () => {
    const { path, db, fill } = database();
    const results: CheckpointResult[] = [];
    let seen = (): void => {};
    const checkpointer = startCheckpointer(path, { intervalMs: 0, onCheckpoint: (r) => (results.push(r), seen()) });
    const before = statSync(path).size;
    fill(500);
    const next = new Promise<void>((resolve) => (seen = resolve));
    checkpointer.poke();
    await next;
    expect(results[0]!.log).toBeGreaterThan(100);
    expect(results[0]!.checkpointed).toBe(results[0]!.log);
    // The rows are in the database file now, not only in the WAL.
    expect(statSync(path).size).toBeGreaterThan(before + 400 * 1000);
    await checkpointer.close();
    db.close();
  });

  it('resets a WAL that grew past its limit, so the next write starts it over', async () => {
    const { path, db, fill } = database();
    let seen = (): void => {};
    const results: CheckpointResult[] = [];
    const checkpointer = startCheckpointer(path, { intervalMs: 0, restartAboveFrames: 10, onCheckpoint: (r) => (results.push(r), seen()) });
    fill(500);
    let next = new Promise<void>((resolve) => (seen = resolve));
    checkpointer.poke();
    await next;
    // RESTART: the WAL was fully copied and the next writer starts at its first frame.
    fill(1);
    next = new Promise<void>((resolve) => (seen = resolve));
    checkpointer.poke();
    await next;
    expect(results[1]!.log).toBeLessThan(10);
    await checkpointer.close();
    db.close();
  });

  it('reports a worker that cannot open the database as fatal', async () => {
    const errors: Array<[string, boolean]> = [];
    const failed = new Promise<void>((resolve) => {
      const checkpointer = startCheckpointer('/nonexistent-dir/x.db', {
        onError: (message, fatal) => {
          errors.push([message, fatal]);
          resolve();
          void checkpointer.close();
        },
      });
    });
    await failed;
    expect(errors[0]![1]).toBe(true);
    expect(errors[0]![0]).toMatch(/directory does not exist|unable to open/);
  });
});
