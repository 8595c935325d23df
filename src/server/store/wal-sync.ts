/**
 * The fsync of a group commit, off the main thread.
 *
 * Under `synchronous = FULL`, SQLite fsyncs the WAL inside COMMIT: better-sqlite3 is synchronous,
 * so the event loop stood still for every fsync (about half of the server's time under load, by
 * the bench's profile). Instead, a batch commits with `synchronous = OFF` (COMMIT only write()s
 * its frames to the WAL) and this module fsyncs the WAL file on libuv's thread pool; the batch's
 * callers are answered, and its pushes published, only once that fsync returned. The guarantee of
 * FULL is kept:
 * - a caller hears "stored" only after its frames are on the disk (as PostgreSQL's group commit:
 *   the WAL is flushed before the commit is acknowledged);
 * - nothing goes out before it is durable: pushes are published after the fsync, and the reads
 *   that send the log to clients (history, its bounds, threads) go through {@link WalSync.read},
 *   which holds them until the fsync in flight returned. The engine's own reads (a chat's record,
 *   pending items) do not wait: what follows from them is written by a later batch, which
 *   commits after that fsync;
 * - checkpoints, the only writes to the database file itself, never run on this connection with
 *   `synchronous = OFF`: auto-checkpoint is off and the checkpointer (sqlite-checkpointer.ts) runs
 *   them on its own connection with `synchronous = FULL`, which fsyncs the WAL and the database
 *   before SQLite may reuse the WAL.
 * Writes made outside a batch (the agents', idempotency and webhook stores' own transactions) run
 * with `synchronous = FULL` restored, as before.
 */
import { closeSync, fsync, openSync } from 'node:fs';

/** How the fsync is made; a test passes its own to hold it open or fail it. */
export type FsyncFn = (fd: number, done: (error: Error | null) => void) => void;

export class WalSync {
  private fd: number | undefined;
  /** Settles when the fsync in flight returned (never rejects). */
  private inflight: Promise<void> | undefined;
  /** Set by a failed fsync: nothing more may be acknowledged until the process restarts. */
  private broken: Error | undefined;
  /** False once the checkpointer is gone: batches then commit with SQLite's own fsync. */
  enabled = true;

  constructor(
    /** The database file; its WAL is `${path}-wal`. */
    private readonly path: string,
    private readonly fsyncFn: FsyncFn = fsync,
  ) {}

  /** Why writes are refused (a failed fsync), if they are. */
  get failure(): Error | undefined {
    return this.broken;
  }

  /**
   * Makes every frame written so far durable. Resolves after the fsync; rejects when it failed,
   * and from then on every call rejects: after a failed fsync the kernel may have dropped the
   * dirty pages, so what a later fsync reports says nothing about them (PostgreSQL's lesson).
   */
  sync(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    // The WAL exists from the first commit on and lives as long as a connection is open.
    this.fd ??= openSync(`${this.path}-wal`, 'r');
    const fd = this.fd;
    let settle!: () => void;
    const barrier = new Promise<void>((resolve) => (settle = resolve));
    this.inflight = barrier;
    return new Promise<void>((resolve, reject) => {
      this.fsyncFn(fd, (error) => {
        if (this.inflight === barrier) this.inflight = undefined;
        if (error) this.broken = new Error(`fsync of the SQLite WAL failed: ${error.message}`, { cause: error });
        // Held reads first (their reactions were registered before the batch's), then the batch.
        settle();
        if (this.broken) reject(this.broken);
        else resolve();
      });
    });
  }

  /** Runs `body` when no committed frame waits for its fsync (at once when none does). */
  read<T>(body: () => T): Promise<T> {
    const pending = this.inflight;
    if (pending) return pending.then(() => this.read(body));
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
