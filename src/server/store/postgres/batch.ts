/**
 * Group commit for the PostgreSQL engine: the writes requested during one event-loop turn run in
 * ONE transaction on one pooled connection, so a node pays BEGIN, COMMIT, the lease proof and the
 * pool checkout once per batch instead of once per write. The contract is the SQLite engine's
 * (store/types.ts, store/group-commit.ts): every caller is answered only after the COMMIT; a job
 * that fails on its own (a constraint, a lost lease) rolls back to its SAVEPOINT and fails only
 * its caller; a failed COMMIT fails every caller of the batch, with nothing of it stored.
 * Savepoints cost a round trip each, so they are only taken once a job failed: the batch is then
 * rolled back and run again without that job, each job in its own savepoint (see attempt()). A
 * job may therefore run twice; only the run whose transaction commits counts (jobs are database
 * statements and pure builders, and the intake's `stored` callback is told again).
 *
 * Order: batches run one after the other, and a batch's jobs run in the order they were requested
 * per chat. Across chats they run sorted by chat id: every batch (and the fan-out, postgres/inbox.ts)
 * then takes chat row locks in ascending id order, so two nodes' batches cannot wait on each other
 * in a cycle (a deadlock would stall both for PostgreSQL's deadlock_timeout).
 *
 * Fencing: a worker job (bot outputs, done marks) names its chat; the batch proves every lease its
 * jobs need with its BEGIN and keeps those lease rows share-locked until the COMMIT (a takeover
 * waits for it); a job whose lease is not held fails alone, without running.
 */
import { setImmediate as onNextTurn } from 'node:timers';
import type pg from 'pg';
import { FencedError, type Fence } from '../../cluster/leases';
import { StoreUnavailableError } from '../errors';
import { CommitError, type JobOutcome } from '../group-commit';
import type { Client } from './db';
import { isUnavailable } from './unavailable';

/** A worker write for a chat whose shard this node does not hold: another node works on it. */
export class NotOwnerError extends Error {
  constructor(readonly chatId: string) {
    super(`this node does not hold the shard of chat ${chatId}`);
    this.name = 'NotOwnerError';
  }
}

/** One write of a batch. */
export interface BatchJob<T> {
  /** The chat whose rows the job writes (and locks): the batch's sort key. */
  chatId: string;
  /** A worker's write: it must prove the chat's shard lease (when the store is fenced). */
  fenced?: boolean;
  /**
   * The job runs exactly one statement. Alone in its batch it then runs as that statement's own
   * transaction (atomic by itself), without BEGIN and COMMIT: a third of the round trips.
   */
  single?: boolean;
  /**
   * The job's statements; what it resolves with is its caller's answer after the COMMIT. It may
   * run twice (batch.ts, attempt()): it must not act outside the transaction but through pure callbacks.
   */
  run(client: Client): Promise<T>;
}

export interface PgBatcherOptions {
  /**
   * Jobs per batch. Default 64: after a failed job each one is a subtransaction, and a transaction
   * with more than 64 of them overflows PostgreSQL's per-backend cache of subtransaction ids,
   * which slows the snapshots of every session on the server ("suboverflow").
   */
  maxJobs?: number;
  /** Declared bytes per batch (what the jobs write, roughly). Default 4 MiB. */
  maxBytes?: number;
  /** Called inside the transaction after the last job; throws to fail the batch (the test hook). */
  beforeCommit: () => void;
  /** True while a failure is injected (the test hook): every batch then takes a transaction, to fail it. */
  failing: () => boolean;
  /** Called after every batch that committed (metrics). */
  onCommit?: (jobs: number, seconds: number) => void;
}

interface Pending {
  job: BatchJob<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Batch {
  entries: Pending[];
  bytes: number;
}

const fail = (error: unknown): JobOutcome => ({ ok: false, error });
const fenceKey = (f: Fence): string => `${f.shard}/${f.owner}/${f.epoch}`;

/** Collects the writes of each event-loop turn and commits each batch with one transaction. */
export class PgBatcher {
  private open: Batch | undefined;
  private readonly ready: Batch[] = [];
  private draining: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;
  private fenceFor: ((chatId: string) => Fence | undefined) | undefined;
  private readonly maxJobs: number;
  private readonly maxBytes: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PgBatcherOptions,
  ) {
    this.maxJobs = options.maxJobs ?? 64;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    if (!(this.maxJobs >= 1) || !(this.maxBytes >= 1)) throw new TypeError('maxJobs and maxBytes must be at least 1');
  }

  /** Makes fenced jobs prove the lease `fenceFor` answers (undefined: this node does not hold it). */
  fenceWith(fenceFor: (chatId: string) => Fence | undefined): void {
    this.fenceFor = fenceFor;
  }

  /**
   * Queues `job` in the current batch. Resolves with its result once the batch committed; rejects
   * with the job's own error (nothing of it stored), or with a {@link CommitError} when the whole
   * batch failed (nothing of the batch stored).
   * @param bytes what the job writes, roughly; counts against `maxBytes`
   */
  submit<T>(job: BatchJob<T>, bytes = 0): Promise<T> {
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

  /** Jobs queued or running. */
  get pending(): number {
    return (this.open?.entries.length ?? 0) + this.ready.reduce((sum, b) => sum + b.entries.length, 0);
  }

  /** Commits what is queued, then refuses new jobs. */
  async close(): Promise<void> {
    this.seal();
    await this.drain();
    this.closed = true;
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
    for (let batch = this.merged(); batch; batch = this.merged()) await this.commit(batch.entries);
  }

  /** The oldest ready batch with the ones behind it (written while it waited), as far as the bounds allow. */
  private merged(): Batch | undefined {
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

  private async commit(requested: Pending[]): Promise<void> {
    // Stable: the jobs of one chat keep their request order. Code-unit order, which is the byte
    // order of the fan-out's `COLLATE "C"` for the ASCII chat ids.
    const entries = [...requested].sort((a, b) => (a.job.chatId < b.job.chatId ? -1 : a.job.chatId > b.job.chatId ? 1 : 0));
    const started = process.hrtime.bigint();
    let outcomes: JobOutcome[];
    try {
      const only = entries.length === 1 ? entries[0]?.job : undefined;
      const alone = only?.single === true && !(only.fenced === true && this.fenceFor) && !this.options.failing();
      outcomes = only && alone ? await this.statement(only) : await this.transaction(entries.map((e) => e.job));
    } catch (error) {
      // A lost connection stays recognisable as one (a 503 to retry, not a 500).
      const failure = isUnavailable(error)
        ? new StoreUnavailableError({ cause: error })
        : new CommitError(`commit of a batch of ${entries.length} failed: ${message(error)}`, entries.length, { cause: error });
      for (const entry of entries) entry.reject(failure);
      return;
    }
    this.options.onCommit?.(entries.length, Number(process.hrtime.bigint() - started) / 1e9);
    entries.forEach((entry, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) entry.resolve(outcome.value);
      else entry.reject(outcome ? outcome.error : new Error('the batch ran no job for this write'));
    });
  }

  /** Runs a one-statement job as its own transaction; rejects only when the connection failed. */
  private async statement(job: BatchJob<unknown>): Promise<JobOutcome[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return [{ ok: true, value: await job.run(client) }];
    } catch (error) {
      // Lost with the connection, the outcome is unknown, as for a COMMIT: the batch's failure.
      if (broken !== undefined || isUnavailable(error)) throw error;
      return [fail(error)];
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Runs `jobs` in one transaction; rejects when the transaction failed as a whole. */
  private async transaction(jobs: ReadonlyArray<BatchJob<unknown>>): Promise<JobOutcome[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The server may go away while the client is checked out: the error then surfaces through the
    // query in flight; without a listener it would also be thrown as an uncaught exception.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      let outcomes = await this.attempt(client, jobs);
      if (!Array.isArray(outcomes)) {
        // A job failed: undo everything and run the others again, each in a savepoint this time.
        await client.query('ROLLBACK');
        outcomes = (await this.attempt(client, jobs, outcomes)) as JobOutcome[];
      }
      this.options.beforeCommit();
      // COMMIT of a transaction in the failed state answers ROLLBACK without an error.
      const committed = await client.query('COMMIT');
      if (committed.command !== 'COMMIT') throw new Error(`the transaction was rolled back (${committed.command})`);
      return outcomes;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * Opens the transaction and runs the jobs in it. Each savepoint is a round trip, as much as the
   * job's own statements, so the first attempt takes none: when a job fails there, it answers
   * that job's failure (the caller rolls back). The second attempt (`failed` given: that job
   * stays failed) sets a savepoint before each job, so any further failure undoes that job alone.
   */
  private async attempt(client: Client, jobs: ReadonlyArray<BatchJob<unknown>>, failed?: FirstFailure): Promise<JobOutcome[] | FirstFailure> {
    const refused = await this.begin(client, jobs);
    const outcomes: JobOutcome[] = [];
    let savepoint = false;
    for (const [i, job] of jobs.entries()) {
      const refusal = refused[i];
      if (refusal || failed?.index === i) {
        outcomes.push(fail(refusal ?? failed?.error));
        continue;
      }
      if (failed) {
        // One round trip: the previous job's savepoint is let go as the next one is set.
        await client.query(savepoint ? 'RELEASE SAVEPOINT job; SAVEPOINT job' : 'SAVEPOINT job');
        savepoint = true;
      }
      try {
        outcomes.push({ ok: true, value: await job.run(client) });
      } catch (error) {
        if (!failed) return { index: i, error };
        // Undoes this job alone; when even that fails the connection is gone and so is the batch.
        await client.query('ROLLBACK TO SAVEPOINT job');
        outcomes.push(fail(error));
      }
    }
    return outcomes;
  }

  /**
   * BEGIN, and in the same round trip the proof of the leases the fenced jobs need, which
   * share-locks their rows until the COMMIT (in shard order, as every batch does). The lease
   * values go into the SQL as literals (a parameter would need a round trip of its own): numbers
   * checked, the owner quoted by the driver. Returns, per job, the error refusing it.
   */
  private async begin(client: Client, jobs: ReadonlyArray<BatchJob<unknown>>): Promise<Array<Error | undefined>> {
    const fenceFor = this.fenceFor;
    const fences = fenceFor ? jobs.map((job) => (job.fenced === true ? (fenceFor(job.chatId) ?? null) : undefined)) : [];
    const wanted = new Map<string, Fence>();
    for (const f of fences) if (f) wanted.set(fenceKey(f), f);
    if (wanted.size === 0) {
      await client.query('BEGIN');
      return fences.map((f, i) => (f === null ? new NotOwnerError(jobs[i]?.chatId ?? '') : undefined));
    }
    const literal = (n: number): string => {
      if (!Number.isSafeInteger(n)) throw new TypeError(`not an integer: ${n}`);
      return String(n);
    };
    const tuples = [...wanted.values()].map((f) => `(${literal(f.shard)}, ${client.escapeLiteral(f.owner)}, ${literal(f.epoch)})`);
    const results = (await client.query(
      `BEGIN; SELECT l.shard, l.owner, l.epoch FROM roundel_shard_leases l
         JOIN (VALUES ${tuples.join(', ')}) AS f(shard, owner, epoch) ON l.shard = f.shard AND l.owner = f.owner AND l.epoch = f.epoch
        WHERE l.expires_at > clock_timestamp() ORDER BY l.shard FOR SHARE OF l`,
    )) as unknown as Array<pg.QueryResult<{ shard: number; owner: string; epoch: string }>>;
    const held = new Set((results[1]?.rows ?? []).map((r) => fenceKey({ shard: r.shard, owner: r.owner, epoch: Number(r.epoch) })));
    return fences.map((f, i) => {
      if (f === undefined) return undefined;
      if (f === null) return new NotOwnerError(jobs[i]?.chatId ?? '');
      return held.has(fenceKey(f)) ? undefined : new FencedError(f);
    });
  }
}

/** The job that failed in a batch's first attempt. */
interface FirstFailure {
  index: number;
  error: unknown;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
