/**
 * Which node works on which chat. Chats hash into {@link SHARDS} shards; each shard is leased to
 * one node in PostgreSQL for a short time and renewed while the node lives. Every change of owner
 * bumps the shard's `epoch`, and a worker checks its (shard, owner, epoch) inside each transaction
 * it commits ({@link checkFence}): a node that was paused past its lease (GC, SIGSTOP, a VM
 * migration) and resumes cannot commit over the new owner's work.
 *
 * Time is the database's (`clock_timestamp()`), never the nodes' own clocks. A node takes its fair
 * share (shards / live nodes, rounded up) of shards that nobody holds or whose lease ran out, and
 * gives back what exceeds it when nodes join, so a dead node's shards are taken over within
 * `ttlMs + renewMs` (docs/scaling.md).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { errorFields, type Logger } from '../logger';

/** Number of shards. Fixed: every node of a service must hash chats the same way. */
export const SHARDS = 64;

/** FNV-1a (32 bit) of the chat id, modulo {@link SHARDS}. */
export function shardOf(chatId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < chatId.length; i += 1) {
    hash ^= chatId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS;
}

/** What a worker proves inside its transaction: it still holds the chat's shard at this epoch. */
export interface Fence {
  shard: number;
  owner: string;
  epoch: number;
}

/** A worker's commit was refused: its lease is gone (taken over or expired). */
export class FencedError extends Error {
  constructor(readonly fence: Fence) {
    super(`shard ${fence.shard} is no longer leased to ${fence.owner} at epoch ${fence.epoch}`);
    this.name = 'FencedError';
  }
}

/**
 * Inside an open transaction on `client`: passes when `fence` still holds, and keeps the lease
 * row share-locked until the transaction ends, so a takeover waits for this commit rather than
 * racing it. @throws FencedError otherwise.
 */
export async function checkFence(client: PoolClient, fence: Fence): Promise<void> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM roundel_shard_leases
      WHERE shard = $1 AND owner = $2 AND epoch = $3 AND expires_at > clock_timestamp() FOR SHARE`,
    [fence.shard, fence.owner, fence.epoch],
  );
  if (rowCount !== 1) throw new FencedError(fence);
}

export interface LeaseKeeperOptions {
  pool: Pool;
  /** The node's name (`--node-id`); the lease owner is this plus a per-process suffix. */
  nodeId: string;
  logger: Logger;
  /** Lease lifetime. Default 10 000 ms. */
  ttlMs?: number;
  /** Renewal period; well under `ttlMs`. Default 2000 ms. */
  renewMs?: number;
  /** Shards this node just took: run their pending work. Must not throw. */
  onAcquired?: (shards: readonly number[]) => void;
  /** Shards this node no longer holds: start no new work on them. Must not throw. */
  onLost?: (shards: readonly number[]) => void;
}

type LeaseRow = { shard: number; epoch: string };

export class LeaseKeeper {
  /** Unique per process: a restarted node with the same id never inherits a dead process's epoch. */
  readonly owner: string;
  private readonly owned = new Map<number, number>();
  private readonly ttl: string;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private seeded = false;

  constructor(private readonly options: LeaseKeeperOptions) {
    this.owner = `${options.nodeId}/${randomUUID().slice(0, 8)}`;
    this.ttl = `${options.ttlMs ?? 10_000} milliseconds`;
  }

  /**
   * Takes a first share and renews every `renewMs` until {@link stop}. Never rejects: with the
   * database away, the rounds go on failing (logged) until it is back.
   */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.renewMs ?? 2000);
    this.timer.unref();
  }

  /** The fence of `chatId` when this node holds its shard, else undefined. */
  fenceFor(chatId: string): Fence | undefined {
    const shard = shardOf(chatId);
    const epoch = this.owned.get(shard);
    return epoch === undefined ? undefined : { shard, owner: this.owner, epoch };
  }

  /** The shards held now, ascending. */
  shards(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** One round: heartbeat, renew, then take or give back shards toward a fair share. Never rejects. */
  tick(): Promise<void> {
    this.ticking ??= this.round()
      .catch((error: unknown) => this.options.logger.warn('shard lease round failed', errorFields(error)))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  /** Stops renewing and gives every shard back at once, so other nodes need not wait for the leases to run out. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    const released = this.shards();
    this.owned.clear();
    if (released.length > 0) this.options.onLost?.(released);
    await this.options.pool.query('UPDATE roundel_shard_leases SET owner = NULL, expires_at = $2 WHERE owner = $1', [
      this.owner,
      '-infinity',
    ]);
    await this.options.pool.query('DELETE FROM roundel_nodes WHERE id = $1', [this.owner]);
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const { pool } = this.options;
    if (!this.seeded) {
      // The shard rows, once per database (every node tries; the first insert wins).
      await pool.query('INSERT INTO roundel_shard_leases (shard) SELECT generate_series(0, $1::integer - 1) ON CONFLICT DO NOTHING', [SHARDS]);
      this.seeded = true;
    }
    await pool.query(
      `INSERT INTO roundel_nodes (id, seen_at) VALUES ($1, clock_timestamp())
       ON CONFLICT (id) DO UPDATE SET seen_at = clock_timestamp()`,
      [this.owner],
    );
    const live = await pool.query<{ count: string }>(
      'SELECT count(*) FROM roundel_nodes WHERE seen_at > clock_timestamp() - $1::interval',
      [this.ttl],
    );
    const renewed = await pool.query<LeaseRow>(
      `UPDATE roundel_shard_leases SET expires_at = clock_timestamp() + $2::interval
        WHERE owner = $1 AND expires_at > clock_timestamp() RETURNING shard, epoch`,
      [this.owner, this.ttl],
    );
    if (this.stopped) return;
    const held = new Map(renewed.rows.map((row) => [row.shard, Number(row.epoch)] as const));
    const lost = [...this.owned].filter(([shard, epoch]) => held.get(shard) !== epoch).map(([shard]) => shard);
    this.replace(held, lost);

    const fair = Math.ceil(SHARDS / Math.max(1, Number(live.rows[0]?.count ?? 1)));
    if (this.owned.size < fair) await this.acquire(fair - this.owned.size);
    else if (this.owned.size > fair) await this.release(this.owned.size - fair);
  }

  private replace(held: Map<number, number>, lost: number[]): void {
    this.owned.clear();
    for (const [shard, epoch] of held) this.owned.set(shard, epoch);
    if (lost.length > 0) {
      this.options.logger.warn('shard leases lost', { owner: this.owner, shards: lost });
      this.options.onLost?.(lost);
    }
  }

  private async acquire(count: number): Promise<void> {
    const { rows } = await this.options.pool.query<LeaseRow>(
      `UPDATE roundel_shard_leases AS l
          SET owner = $1, epoch = l.epoch + 1, expires_at = clock_timestamp() + $2::interval
         FROM (SELECT shard FROM roundel_shard_leases
                WHERE owner IS NULL OR expires_at <= clock_timestamp()
                ORDER BY shard LIMIT $3 FOR UPDATE SKIP LOCKED) AS free
        WHERE l.shard = free.shard
        RETURNING l.shard, l.epoch`,
      [this.owner, this.ttl, count],
    );
    if (rows.length === 0 || this.stopped) return;
    for (const row of rows) this.owned.set(row.shard, Number(row.epoch));
    const shards = rows.map((row) => row.shard).sort((a, b) => a - b);
    this.options.logger.info('shard leases acquired', { owner: this.owner, shards });
    this.options.onAcquired?.(shards);
  }

  /** Gives back the highest shards beyond the fair share (a node joined). Their work moves with them. */
  private async release(count: number): Promise<void> {
    const shards = this.shards().slice(-count);
    for (const shard of shards) this.owned.delete(shard);
    this.options.onLost?.(shards);
    await this.options.pool.query(
      `UPDATE roundel_shard_leases SET owner = NULL, expires_at = '-infinity' WHERE owner = $1 AND shard = ANY($2::integer[])`,
      [this.owner, shards],
    );
    this.options.logger.info('shard leases given back', { owner: this.owner, shards });
  }
}
