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
 * Order: up to four batches run at once (a round trip that waits for a busy core then does not
 * hold up every write), but a chat's writes are never in two running batches, and a batch runs
 * them in the order they were requested. Across chats a batch runs its jobs sorted by chat id:
 * every batch (and the fan-out, postgres/inbox.ts) then takes chat row locks in ascending id order,
 * so two batches (of one node or two) cannot wait on each other in a cycle (a deadlock would stall
 * both for PostgreSQL's deadlock_timeout).
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
import { rollback, withClient, type Client } from './db';
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
  /** Batches running at once, each on its own pooled connection. Default 4. */
  maxBatches?: number;
  /** Called inside the transaction after the last job; throws to fail the batch (the test hook). */
  beforeCommit: () => void;
  /** True while a failure is injected (the test hook): every batch then takes a transaction, to fail it. */
  failing: () => boolean;
  /** Called after every batch that committed (metrics). */
  onCommit?: (jobs: number, seconds: number) => void;
}

interface Pending {
  job: BatchJob<unknown>;
  bytes: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const fail = (error: unknown): JobOutcome => ({ ok: false, error });
const fenceKey = (f: Fence): string => `${f.shard}/${f.owner}/${f.epoch}`;

/** Collects the writes of each event-loop turn and commits each batch with one transaction. */
export class PgBatcher {
  /** Writes not in a batch yet, in request order. */
  private queue: Pending[] = [];
  /** Chats with a write in a running batch: their later writes wait for it (request order). */
  private readonly busy = new Map<string, number>();
  private running = 0;
  private runningJobs = 0;
  private scheduled = false;
  private closed = false;
  private idle: Array<() => void> = [];
  private fenceFor: ((chatId: string) => Fence | undefined) | undefined;
  private readonly maxJobs: number;
  private readonly maxBytes: number;
  private readonly maxBatches: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PgBatcherOptions,
  ) {
    this.maxJobs = options.maxJobs ?? 64;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    this.maxBatches = options.maxBatches ?? 4;
    if (!(this.maxJobs >= 1) || !(this.maxBytes >= 1) || !(this.maxBatches >= 1)) throw new TypeError('maxJobs, maxBytes and maxBatches must be at least 1');
  }

  /** Makes fenced jobs prove the lease `fenceFor` answers (undefined: this node does not hold it). */
  fenceWith(fenceFor: (chatId: string) => Fence | undefined): void {
    this.fenceFor = fenceFor;
  }

  /**
   * Queues `job` for the next batch. Resolves with its result once its batch committed; rejects
   * with the job's own error (nothing of it stored), or with a {@link CommitError} when the whole
   * batch failed (nothing of the batch stored).
   * @param bytes what the job writes, roughly; counts against `maxBytes`
   */
  submit<T>(job: BatchJob<T>, bytes = 0): Promise<T> {
    if (this.closed) return Promise.reject(new CommitError('the store is closed', 0));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, bytes, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Jobs queued or running. */
  get pending(): number {
    return this.queue.length + this.runningJobs;
  }

  /** Commits what is queued, then refuses new jobs. */
  async close(): Promise<void> {
    this.pump();
    if (this.running > 0 || this.queue.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.closed = true;
  }

  // One setImmediate per turn: it runs after the poll phase that queued the jobs (every request
  // read in that phase joins the batch), before the next one.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    onNextTurn(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /**
   * Starts batches while fewer than `maxBatches` run: one connection each, so a slow round trip
   * (a busy machine) does not hold up every write of the node. A chat's writes are never in two
   * running batches, so they still commit in request order; what waits joins a later batch.
   */
  private pump(): void {
    while (this.running < this.maxBatches) {
      const batch = this.take();
      if (batch.length === 0) break;
      this.running += 1;
      this.runningJobs += batch.length;
      for (const { job } of batch) this.busy.set(job.chatId, (this.busy.get(job.chatId) ?? 0) + 1);
      void this.commit(batch).finally(() => {
        for (const { job } of batch) {
          const left = (this.busy.get(job.chatId) ?? 1) - 1;
          if (left === 0) this.busy.delete(job.chatId);
          else this.busy.set(job.chatId, left);
        }
        this.running -= 1;
        this.runningJobs -= batch.length;
        // What was written meanwhile goes at once (it waited for this batch, not for a turn).
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  /** The next batch: queued writes in request order, within the bounds, but none of a busy chat or behind one left waiting. */
  private take(): Pending[] {
    const taken: Pending[] = [];
    const rest: Pending[] = [];
    const waiting = new Set<string>();
    let bytes = 0;
    for (const entry of this.queue) {
      const chatId = entry.job.chatId;
      const full = taken.length >= this.maxJobs || (bytes > 0 && bytes + entry.bytes > this.maxBytes);
      if (full || this.busy.has(chatId) || waiting.has(chatId)) {
        waiting.add(chatId);
        rest.push(entry);
        continue;
      }
      taken.push(entry);
      bytes += entry.bytes;
    }
    this.queue = rest;
    return taken;
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
  private statement(job: BatchJob<unknown>): Promise<JobOutcome[]> {
    return withClient(this.pool, async (checkout) => {
      try {
        return [{ ok: true, value: await job.run(checkout.client) }];
      } catch (error) {
        // Lost with the connection, the outcome is unknown, as for a COMMIT: the batch's failure.
        if (checkout.broken !== undefined || isUnavailable(error)) throw error;
        return [fail(error)];
      }
    });
  }

  /** Runs `jobs` in one transaction; rejects when the transaction failed as a whole. */
  private transaction(jobs: ReadonlyArray<BatchJob<unknown>>): Promise<JobOutcome[]> {
    return withClient(this.pool, async (checkout) => {
      const { client } = checkout;
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
        await rollback(checkout);
        throw error;
      }
    });
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
