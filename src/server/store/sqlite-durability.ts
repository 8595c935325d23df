/**
 * What `synchronous = FULL` on a file means for the embedded store: the group commit's fsync off
 * the main thread ({@link WalSync}) and checkpoints on a worker (sqlite-checkpointer.ts), with
 * SQLite's own inline fsync and auto-checkpoint as the fallback should the worker die.
 */
import type Database from 'better-sqlite3';
import { startCheckpointer } from './sqlite-checkpointer';
import { WalSync, type FsyncFn } from './wal-sync';

/** Least ms between two batches' starts when the fsync runs off the loop (GroupCommitOptions.minIntervalMs). */
export const COMMIT_INTERVAL_MS = 2;

/** The WAL may not be reset past this size (it only grows as far as the checkpoints lag). */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export interface OffThreadDurability {
  wal: WalSync;
  /** A batch committed: the checkpointer runs soon. */
  committed(): void;
  /** Stops the checkpointer (before the main connection closes, which checkpoints the rest). */
  close(): Promise<void>;
}

export interface DurabilityOptions {
  /** Test hook: how the WAL is fsynced (default `fs.fsync`). */
  fsync?: FsyncFn;
  /** A checkpoint on the worker failed. */
  onCheckpointError?: (message: string) => void;
}

/** Sets `db` (a file in WAL mode, `synchronous = FULL`, at `path`) up for commits off the main thread. */
export function offThreadDurability(db: Database.Database, path: string, options: DurabilityOptions = {}): OffThreadDurability {
  const wal = new WalSync(path, options.fsync);
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  const checkpointer = startCheckpointer(path, {
    onError: (message, fatal) => {
      options.onCheckpointError?.(message);
      if (!fatal) return;
      // No checkpointer: back to commits that fsync inline, with SQLite's own checkpoints.
      wal.enabled = false;
      db.pragma('wal_autocheckpoint = 1000');
    },
  });
  return {
    wal,
    committed: () => checkpointer.poke(),
    async close() {
      await checkpointer.close();
      wal.close();
    },
  };
}
