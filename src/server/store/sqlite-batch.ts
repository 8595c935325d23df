/**
 * The better-sqlite3 side of {@link GroupCommit}: a batch is one `BEGIN IMMEDIATE … COMMIT`, each
 * job inside its own savepoint so that a job that throws undoes only its own writes and fails only
 * its own caller. better-sqlite3 is synchronous: the whole batch, COMMIT and its fsync included,
 * runs without yielding, so no other statement can interleave with it.
 */
import type Database from 'better-sqlite3';
import type { BatchRunner, JobOutcome } from './group-commit';

/** A runner for `db`; jobs receive the database handle. */
export function sqliteBatchRunner(db: Database.Database): BatchRunner<Database.Database> {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT job');
  const release = db.prepare('RELEASE job');
  const undo = db.prepare('ROLLBACK TO job');

  return (jobs, beforeCommit) => {
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
      beforeCommit();
      commit.run();
    } catch (error) {
      // A failed COMMIT may already have ended the transaction (SQLite rolls back on some errors).
      if (db.inTransaction) rollback.run();
      throw error;
    }
    return outcomes;
  };
}
