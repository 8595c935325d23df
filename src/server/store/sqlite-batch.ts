/**
 * The better-sqlite3 side of {@link GroupCommit}: a batch is one `BEGIN IMMEDIATE … COMMIT`, each
 * job inside its own savepoint so that a job that throws undoes only its own writes and fails only
 * its own caller. better-sqlite3 is synchronous: the whole batch, from BEGIN to COMMIT, runs without
 * yielding, so no other statement can interleave with it.
 */
import type Database from 'better-sqlite3';
import type { BatchRunner, JobOutcome } from './group-commit';
import type { WalSync } from './wal-sync';

/**
 * A runner for `db`; jobs receive the database handle. With `wal`, the batch commits without
 * waiting for its fsync, which `wal` then makes off the main thread; the runner's promise settles
 * after it (see wal-sync.ts). `synchronous` is `FULL` again as soon as the batch ended, for the
 * writes made outside batches. `beforeEnd` runs inside the transaction after the last job.
 */
export function sqliteBatchRunner(db: Database.Database, wal?: WalSync, beforeEnd?: () => void): BatchRunner<Database.Database> {
  const unsynced = db.prepare('PRAGMA synchronous = OFF');
  const synced = db.prepare('PRAGMA synchronous = FULL');
  const run = wal
    ? (jobs: ReadonlyArray<(tx: Database.Database) => unknown>, beforeCommit: () => void) => {
        if (!wal.enabled) return transaction(jobs, beforeCommit);
        unsynced.run();
        try {
          const outcomes = transaction(jobs, beforeCommit);
          return wal.sync().then(() => outcomes);
        } finally {
          synced.run();
        }
      }
    : transaction;
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT job');
  const release = db.prepare('RELEASE job');
  const undo = db.prepare('ROLLBACK TO job');

  function transaction(jobs: ReadonlyArray<(tx: Database.Database) => unknown>, beforeCommit: () => void): JobOutcome[] {
    begin.run();
    const outcomes: JobOutcome[] = [];
    try {
      for (const job of jobs) {
        savepoint.run();
        try {
          outcomes.push({ ok: true, value: job(db) });
          release.run();
        } catch (error) {
          // ROLLBACK TO keeps the savepoint open: release it too.
          undo.run();
          release.run();
          outcomes.push({ ok: false, error });
        }
      }
      // The store's own last writes (deferred inbox rows), then the test hook, then COMMIT.
      beforeEnd?.();
      beforeCommit();
      commit.run();
    } catch (error) {
      // A failed COMMIT may already have ended the transaction (SQLite rolls back on some errors).
      if (db.inTransaction) rollback.run();
      throw error;
    }
    return outcomes;
  }
  return run;
}
