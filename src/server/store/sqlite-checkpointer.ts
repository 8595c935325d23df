/**
 * WAL checkpoints on a worker thread with its own connection (`synchronous = FULL`).
 *
 * A checkpoint copies the WAL's pages into the database file and fsyncs it: tens to hundreds of
 * milliseconds once the WAL holds a few MiB. SQLite's auto-checkpoint runs it inside the COMMIT
 * that crossed the threshold, so one caller in a thousand waited for it and the event loop stood
 * still meanwhile (the bench's p99 spikes). Here the main connection has auto-checkpoint off and
 * this worker checkpoints PASSIVE (never blocking the writer) whenever the main thread reports
 * commits; if the writer keeps the WAL from being reset for long (PASSIVE cannot finish while
 * frames keep arriving), it checkpoints RESTART once, which holds the writer for the few frames the PASSIVE one left.
 *
 * The worker is `eval`'d from a string so that it runs the same in the tests (TypeScript sources)
 * and in the bundle (dist/server), with better-sqlite3 resolved by the main thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Frames (pages) in the WAL above which the checkpointer resets it with RESTART: ~32 MiB of 4 KiB pages. */
export const RESTART_ABOVE_FRAMES = 4096;
/** Least time between two checkpoints. */
export const CHECKPOINT_INTERVAL_MS = 200;

// Plain JavaScript (CommonJS): an eval'd worker cannot be TypeScript or an ES module.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');
let timer;
let last = 0;
function checkpoint() {
  timer = undefined;
  last = Date.now();
  try {
    let row = passive.get();
    if (row.log > workerData.restartAbove) row = restart.get();
    parentPort.postMessage({ type: 'checkpointed', log: row.log, checkpointed: row.checkpointed, busy: row.busy });
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
  }
}
parentPort.on('message', (message) => {
  if (message === 'close') {
    clearTimeout(timer);
    db.close();
    parentPort.close();
    return;
  }
  // At most one checkpoint per interval: each fsyncs the database file.
  timer ??= setTimeout(checkpoint, Math.max(0, last + workerData.intervalMs - Date.now()));
});
`;

export interface CheckpointResult {
  /** Frames in the WAL when it ran. */
  log: number;
  /** Frames of those copied into the database file. */
  checkpointed: number;
}

export interface Checkpointer {
  /** Commits happened: a checkpoint runs soon (several requests before it runs make one). */
  poke(): void;
  /** Stops the worker and closes its connection (before the main connection closes). */
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  restartAboveFrames?: number;
  intervalMs?: number;
  onCheckpoint?: (result: CheckpointResult) => void;
  /** A checkpoint failed (`fatal`: the worker is gone and no more will run). */
  onError?: (message: string, fatal: boolean) => void;
}

/** Starts the checkpointer of the database at `path` (a file; WAL mode). */
export function startCheckpointer(path: string, options: CheckpointerOptions = {}): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path,
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      restartAbove: options.restartAboveFrames ?? RESTART_ABOVE_FRAMES,
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
    },
  });
  // The worker never keeps the process alive: the store's close() ends it.
  worker.unref();
  let asked = false;
  let closed = false;
  worker.on('message', (message: unknown) => {
    asked = false;
    if (typeof message !== 'object' || message === null) return;
    const m = message as Record<string, unknown>;
    if (m.type === 'checkpointed') options.onCheckpoint?.({ log: Number(m.log), checkpointed: Number(m.checkpointed) });
    else if (m.type === 'error') options.onError?.(String(m.message), false);
  });
  // A worker that died (it should not) checkpoints no more: the store falls back to FULL commits.
  let failed = false;
  const fatal = (message: string) => {
    if (failed || closed) return;
    failed = true;
    options.onError?.(message, true);
  };
  worker.on('error', (error) => fatal(error.message));
  worker.on('exit', () => fatal('the checkpointer exited'));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    poke() {
      // One request in flight at a time: the worker coalesces, so a flood of commits costs one message.
      if (closed || failed || asked) return;
      asked = true;
      worker.postMessage('checkpoint');
    },
    async close() {
      if (closed) return exited;
      closed = true;
      worker.postMessage('close');
      return exited;
    },
  };
}
