/**
 * Group commit: the durable writes requested during one event-loop turn run in ONE transaction,
 * so the commit (and its fsync under `synchronous = FULL`) is paid once per batch instead of once
 * per caller. Every caller's promise settles only after that commit: resolved with its job's
 * result once the batch is durable, or rejected when the batch failed, in which case nothing of
 * the batch is stored (the transaction rolled back as a whole).
 *
 * Engine-neutral: an engine supplies {@link BatchRunner}, which runs a list of jobs inside one
 * transaction of its own kind (better-sqlite3 synchronously; a networked engine asynchronously).
 * One job that throws fails only its own caller: the runner isolates each job (a savepoint), the
 * rest of the batch commits.
 *
 * Bounds: a batch closes at {@link GroupCommitOptions.maxJobs} jobs or
 * {@link GroupCommitOptions.maxBytes} bytes (each caller states its job's size), and the next one
 * starts at once, so one turn with a flood of writes never builds an unbounded transaction.
 */
import { setImmediate as onNextTurn } from 'node:timers';

/** One unit of work inside a batch's transaction; `T` is what its caller receives after the commit. */
export type Job<Tx, T> = (tx: Tx) => T;

/** Outcome of one job inside a transaction that went on to commit (or not). */
export type JobOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs `jobs` in order inside one transaction and commits it. Each job's own failure is caught
 * and reported in its outcome (its writes undone, a savepoint); a failure of the transaction
 * itself (BEGIN or COMMIT) rejects, and then nothing of the batch is stored. `beforeCommit` must
 * be called inside the transaction after the last job: it throws when a test injected a failure,
 * and the runner must then roll back and reject as for a failed COMMIT.
 */
export type BatchRunner<Tx> = (
  jobs: ReadonlyArray<Job<Tx, unknown>>,
  beforeCommit: () => void,
) => JobOutcome[] | Promise<JobOutcome[]>;

export interface GroupCommitOptions {
  /** Jobs per batch. Default 512. */
  maxJobs?: number;
  /** Declared bytes per batch (what the jobs write, roughly). Default 4 MiB. */
  maxBytes?: number;
  /** Called after every batch that committed, with its size (metrics). */
  onCommit?: (jobs: number, bytes: number, seconds: number) => void;
  /** Called when a batch failed as a whole, before its callers are rejected (drop caches its jobs filled). */
  onFailure?: (error: unknown) => void;
  /**
   * Least time from one batch's start to the next one's (default 0: at once). Each commit pays an
   * fsync (about 0.1 ms of kernel CPU here) and rewrites the pages every batch touches; when the
   * fsync runs off the main thread the loop no longer stalls on it, so without pacing a busy
   * server would commit a batch of one or two writes per turn. Pacing lets the writes of a few
   * turns join one batch, at a cost of at most this much latency, and only under load (a batch
   * whose predecessor started longer ago runs at once).
   */
  minIntervalMs?: number;
}

/** Thrown to the callers of a batch whose transaction failed as a whole. */
export class CommitError extends Error {
  constructor(
    message: string,
    /** Callers in the failed batch. */
    readonly batchSize: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CommitError';
  }
}

interface Pending<Tx> {
  job: Job<Tx, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Batch<Tx> {
  entries: Array<Pending<Tx>>;
  bytes: number;
}

const DEFAULTS = { maxJobs: 512, maxBytes: 4 * 1024 * 1024 };

/** Collects jobs per event-loop turn and commits each batch with one transaction. */
export class GroupCommit<Tx> {
  private open: Batch<Tx> | undefined;
  /** Batches closed (full, or their turn ended) and not yet run, in order. */
  private readonly ready: Array<Batch<Tx>> = [];
  /** The loop committing the ready batches, while it runs. */
  private draining: Promise<void> | undefined;
  /** Ends a pacing wait at once (flush, close). */
  private wake: (() => void) | undefined;
  /** Set while flushing: no pacing waits. */
  private hurry = false;
  private scheduled = false;
  private failNext = 0;
  private closed = false;
  /** When the last batch started (performance.now()). */
  private lastStart = -Infinity;
  private readonly maxJobs: number;
  private readonly maxBytes: number;

  constructor(
    private readonly runBatch: BatchRunner<Tx>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxJobs = options.maxJobs ?? DEFAULTS.maxJobs;
    this.maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
    if (!(this.maxJobs >= 1) || !(this.maxBytes >= 1)) throw new TypeError('maxJobs and maxBytes must be at least 1');
  }

  /**
   * Queues `job` in the current batch. Resolves with its result once the batch committed;
   * rejects with the job's own error (nothing of it stored), or with a {@link CommitError} when the
   * whole batch failed (nothing of the batch stored).
   * @param bytes what the job writes, roughly; counts against `maxBytes` (default 0)
   */
  submit<T>(job: Job<Tx, T>, bytes = 0): Promise<T> {
    if (this.closed) return Promise.reject(new CommitError('the store is closed', 0));
    return new Promise<T>((resolve, reject) => {
      let batch = this.open;
      if (batch && (batch.entries.length >= this.maxJobs || (batch.bytes > 0 && batch.bytes + bytes > this.maxBytes))) {
        this.seal();
        batch = undefined;
      }
      if (!batch) {
        batch = { entries: [], bytes: 0 };
        this.open = batch;
      }
      batch.entries.push({ job, resolve: resolve as (value: unknown) => void, reject });
      batch.bytes += bytes;
      this.schedule();
    });
  }

  /**
   * Test hook: the next `count` batches fail at commit time, after their jobs ran, as a failed
   * COMMIT (disk full, I/O error) would: the transaction rolls back and every caller is rejected.
   */
  failNextCommits(count = 1): void {
    this.failNext += count;
  }

  /** Jobs queued or running. */
  get pending(): number {
    return (this.open?.entries.length ?? 0) + this.ready.reduce((sum, b) => sum + b.entries.length, 0);
  }

  /** Commits what is queued, then refuses new jobs. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Resolves once every job queued so far has settled (at once: no pacing wait). */
  async flush(): Promise<void> {
    this.hurry = true;
    try {
      this.seal();
      this.wake?.();
      await this.drain();
    } finally {
      this.hurry = false;
    }
  }

  private seal(): void {
    if (this.open && this.open.entries.length > 0) this.ready.push(this.open);
    this.open = undefined;
  }

  // One setImmediate per turn: it runs after the poll phase that queued the jobs (every request
  // read in that phase joins the batch), before the next one.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    onNextTurn(() => {
      this.scheduled = false;
      this.seal();
      void this.drain();
    });
  }

  private drain(): Promise<void> {
    this.draining ??= this.runReady().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async runReady(): Promise<void> {
    for (;;) {
      const wait = this.lastStart + (this.options.minIntervalMs ?? 0) - performance.now();
      if (wait > 0 && !this.hurry) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        // What came meanwhile joins the batch that waited (within the bounds).
        this.seal();
      }
      const batch = this.merged();
      if (!batch) return;
      this.lastStart = performance.now();
      await this.commit(batch);
    }
  }

  /** The next batch to run: the oldest ready one with the ones behind it, as far as the bounds allow. */
  private merged(): Batch<Tx> | undefined {
    const first = this.ready.shift();
    if (!first) return undefined;
    for (let next = this.ready[0]; next; next = this.ready[0]) {
      if (first.entries.length + next.entries.length > this.maxJobs || first.bytes + next.bytes > this.maxBytes) break;
      this.ready.shift();
      first.entries.push(...next.entries);
      first.bytes += next.bytes;
    }
    return first;
  }

  private async commit(batch: Batch<Tx>): Promise<void> {
    const { entries } = batch;
    const started = process.hrtime.bigint();
    let outcomes: JobOutcome[];
    try {
      outcomes = await this.runBatch(
        entries.map((e) => e.job),
        () => {
          if (this.failNext === 0) return;
          this.failNext -= 1;
          throw new Error('injected commit failure (test hook)');
        },
      );
    } catch (error) {
      this.options.onFailure?.(error);
      const failure = new CommitError(`commit of a batch of ${entries.length} failed: ${message(error)}`, entries.length, { cause: error });
      for (const entry of entries) entry.reject(failure);
      return;
    }
    this.options.onCommit?.(entries.length, batch.bytes, Number(process.hrtime.bigint() - started) / 1e9);
    entries.forEach((entry, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) entry.resolve(outcome.value);
      else entry.reject(outcome ? outcome.error : new Error('the batch runner returned no outcome for this job'));
    });
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
