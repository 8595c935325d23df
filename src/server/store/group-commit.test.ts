import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommitError, GroupCommit, type BatchRunner } from './group-commit';
import { sqliteBatchRunner } from './sqlite-batch';

type Db = Database.Database;

let dir: string;
let db: Db;
let reader: Db;
let batches: number[];
let log: string[];

/** The real runner, recording when each batch committed. */
function recordingRunner(inner: BatchRunner<Db>): BatchRunner<Db> {
  return (jobs, beforeCommit) => {
    const outcomes = inner(jobs, beforeCommit);
    log.push(`commit ${jobs.length}`);
    return outcomes;
  };
}

function open(options: ConstructorParameters<typeof GroupCommit>[1] = {}): GroupCommit<Db> {
  return new GroupCommit<Db>(recordingRunner(sqliteBatchRunner(db)), { ...options, onCommit: (jobs) => batches.push(jobs) });
}

const insert = (value: string) => (tx: Db) => Number(tx.prepare('INSERT INTO t (v) VALUES (?)').run(value).lastInsertRowid);
/** Rows as another connection sees them: only what is committed. */
const committed = (): string[] => (reader.prepare('SELECT v FROM t ORDER BY id').all() as Array<{ v: string }>).map((r) => r.v);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roundel-gc-'));
  db = new Database(join(dir, 'g.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE);
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED);`);
  reader = new Database(join(dir, 'g.db'), { readonly: true });
  batches = [];
  log = [];
});

afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GroupCommit', () => {
  it('runs the jobs of one turn in one transaction, in order, and answers each after the commit', async () => {
    const gc = open();
    const answers = ['a', 'b', 'c', 'd'].map((v) =>
      gc.submit(insert(v)).then((id) => {
        // Settled only once the batch is durable: another connection already sees every row.
        log.push(`resolved ${v} seeing ${committed().join('')}`);
        return id;
      }),
    );
    expect(committed()).toEqual([]);
    expect(await Promise.all(answers)).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([4]);
    expect(log).toEqual(['commit 4', 'resolved a seeing abcd', 'resolved b seeing abcd', 'resolved c seeing abcd', 'resolved d seeing abcd']);
  });

  it('starts a new batch on the next turn, including for jobs queued by a caller that was just answered', async () => {
    const gc = open();
    const first = gc.submit(insert('a')).then(() => gc.submit(insert('c')));
    await nextTurn();
    const second = gc.submit(insert('b'));
    await Promise.all([first, second]);
    // 'a' committed alone; 'c' (queued on its answer) and 'b' (the test's next turn) shared the next.
    expect(batches).toEqual([1, 2]);
    expect(committed()).toEqual(['a', 'c', 'b']);
  });

  it('closes a batch at maxJobs and at maxBytes, keeping the order', async () => {
    const byCount = open({ maxJobs: 3 });
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((v) => byCount.submit(insert(v))));
    expect(batches).toEqual([3, 3, 1]);
    batches = [];
    const byBytes = open({ maxBytes: 100 });
    await Promise.all(['h', 'i', 'j', 'k'].map((v) => byBytes.submit(insert(v), 60)));
    expect(batches).toEqual([1, 1, 1, 1]);
    // One job larger than the bound still runs, alone.
    batches = [];
    await Promise.all([byBytes.submit(insert('l'), 500), byBytes.submit(insert('m'), 10)]);
    expect(batches).toEqual([1, 1]);
    expect(committed()).toEqual('abcdefghijklm'.split(''));
  });

  it('fails only the caller of a job that throws, undoing its writes; the rest of the batch commits', async () => {
    const gc = open();
    const results = await Promise.allSettled([
      gc.submit(insert('a')),
      gc.submit((tx) => {
        insert('half')(tx);
        throw new Error('bad input');
      }),
      gc.submit(insert('a')), // a UNIQUE violation: SQLite's own error
      gc.submit(insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('bad input'));
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(batches).toEqual([4]);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('rejects every caller of a batch whose COMMIT fails, stores none of it, and goes on', async () => {
    const gc = open();
    // A deferred foreign key is checked at COMMIT: a real commit failure.
    const doomed = await Promise.allSettled([
      gc.submit(insert('a')),
      gc.submit((tx) => tx.prepare('INSERT INTO child (parent) VALUES (999)').run().changes),
      gc.submit(insert('b')),
    ]);
    expect(doomed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of doomed) {
      const reason = (r as PromiseRejectedResult).reason as CommitError;
      expect(reason).toBeInstanceOf(CommitError);
      expect(reason.batchSize).toBe(3);
      expect(reason.message).toMatch(/FOREIGN KEY constraint failed/);
    }
    expect(committed()).toEqual([]);
    expect(db.inTransaction).toBe(false);
    expect(await gc.submit(insert('c'))).toBeGreaterThan(0);
    expect(committed()).toEqual(['c']);
  });

  it('fails a whole batch on an injected commit failure, then commits the next', async () => {
    const gc = open();
    gc.failNextCommits(1);
    const doomed = await Promise.allSettled([gc.submit(insert('a')), gc.submit(insert('b'))]);
    expect(doomed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((doomed[0] as PromiseRejectedResult).reason)).toMatch(/injected commit failure/);
    expect(committed()).toEqual([]);
    await Promise.all([gc.submit(insert('a')), gc.submit(insert('b'))]);
    expect(committed()).toEqual(['a', 'b']);
    expect(batches).toEqual([2]);
  });

  it('settles everything queued on close and refuses jobs afterwards', async () => {
    const gc = open();
    const queued = gc.submit(insert('a'));
    expect(gc.pending).toBe(1);
    await gc.close();
    expect(await queued).toBe(1);
    await expect(gc.submit(insert('b'))).rejects.toThrow(CommitError);
    expect(committed()).toEqual(['a']);
  });

  it('waits for an asynchronous runner before starting the next batch', async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const runner: BatchRunner<null> = async (jobs, beforeCommit) => {
      order.push(`begin ${jobs.length}`);
      const values = jobs.map((job) => ({ ok: true as const, value: job(null) }));
      if (order.length === 1) await new Promise<void>((resolve) => (release = resolve));
      beforeCommit();
      order.push(`commit ${jobs.length}`);
      return values;
    };
    const gc = new GroupCommit(runner);
    const first = gc.submit(() => 1);
    await nextTurn();
    const second = [gc.submit(() => 2), gc.submit(() => 3)];
    await nextTurn();
    expect(order).toEqual(['begin 1']);
    release();
    expect(await Promise.all([first, ...second])).toEqual([1, 2, 3]);
    expect(order).toEqual(['begin 1', 'commit 1', 'begin 2', 'commit 2']);
  });

  it('paces batches: the writes of the turns within minIntervalMs of the last start join one batch', async () => {
    const sizes: number[] = [];
    const runner: BatchRunner<null> = (jobs, beforeCommit) => {
      sizes.push(jobs.length);
      beforeCommit();
      return jobs.map((job) => ({ ok: true as const, value: job(null) }));
    };
    const gc = new GroupCommit(runner, { minIntervalMs: 10_000 });
    // The first batch runs at once: none started before it.
    expect(await gc.submit(() => 'a')).toBe('a');
    const later = [gc.submit(() => 'b')];
    await nextTurn();
    later.push(gc.submit(() => 'c'));
    await nextTurn();
    later.push(gc.submit(() => 'd'));
    // Still waiting for the interval; closing commits what is queued at once, in one batch.
    expect(sizes).toEqual([1]);
    await gc.close();
    expect(await Promise.all(later)).toEqual(['b', 'c', 'd']);
    expect(sizes).toEqual([1, 3]);
  });

  it('refuses bounds below one', () => {
    expect(() => new GroupCommit(() => [], { maxJobs: 0 })).toThrow(TypeError);
  });
});
