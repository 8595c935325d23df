/** Shard leases and fencing against a real PostgreSQL. */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { MIGRATIONS } from '../store/postgres/schema';
import { migrate } from '../store/postgres/migrate';
import { usePostgres } from '../test/services';
import { FencedError, LeaseKeeper, SHARDS, checkFence, shardOf, type Fence } from './leases';

const postgres = usePostgres();
let url: string;
const pools: pg.Pool[] = [];

function pool(): pg.Pool {
  const created = new pg.Pool({ connectionString: url, max: 4 });
  pools.push(created);
  return created;
}

beforeEach(() => {
  url = postgres().database();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

function keeper(nodeId: string, events: { acquired: number[]; lost: number[] } = { acquired: [], lost: [] }, ttlMs = 60_000) {
  return new LeaseKeeper({
    pool: pool(),
    nodeId,
    logger: silentLogger,
    ttlMs,
    // Rounds run by hand in these tests.
    renewMs: 3_600_000,
    onAcquired: (shards) => events.acquired.push(...shards),
    onLost: (shards) => events.lost.push(...shards),
  });
}

/** Commits a transaction that proves `fence`; resolves with the error when it was refused. */
async function commitFenced(on: pg.Pool, fence: Fence): Promise<unknown> {
  const client = await on.connect();
  try {
    await client.query('BEGIN');
    await checkFence(client, fence);
    await client.query('COMMIT');
    return undefined;
  } catch (error) {
    await client.query('ROLLBACK');
    return error;
  } finally {
    client.release();
  }
}

const all = Array.from({ length: SHARDS }, (_, i) => i);

describe('migrations', () => {
  it('run once when several nodes start at the same time', async () => {
    const versions = await Promise.all([pool(), pool(), pool(), pool()].map((p) => migrate(p, MIGRATIONS)));
    expect(versions).toEqual(Array(4).fill(MIGRATIONS.length));
    const { rows } = await pool().query('SELECT version FROM roundel_migrations ORDER BY version');
    expect(rows.map((r: { version: number }) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('refuse a database from a newer server', async () => {
    const p = pool();
    await migrate(p, MIGRATIONS);
    await expect(migrate(p, MIGRATIONS.slice(0, 0))).rejects.toThrow(/newer than this server/);
  });
});

describe('shard leases', () => {
  beforeEach(async () => {
    await migrate(pool(), MIGRATIONS);
  });

  it('hashes chats over every shard, the same way each time', () => {
    const hit = new Set(Array.from({ length: 2000 }, (_, i) => shardOf(`chat-${i}`)));
    expect(hit.size).toBe(SHARDS);
    expect(shardOf('7f0c5c9e-2a4b-4d1e-9a51-0c7a1a2b3c4d')).toBe(shardOf('7f0c5c9e-2a4b-4d1e-9a51-0c7a1a2b3c4d'));
  });

  it('gives a lone node every shard, with a fence its commits pass', async () => {
    const events = { acquired: [] as number[], lost: [] as number[] };
    const a = keeper('a', events);
    await a.start();
    expect(a.shards()).toEqual(all);
    expect([...events.acquired].sort((x, y) => x - y)).toEqual(all);
    const fence = a.fenceFor('some-chat');
    expect(fence).toMatchObject({ shard: shardOf('some-chat'), owner: a.owner, epoch: 1 });
    expect(await commitFenced(pool(), fence as Fence)).toBeUndefined();
    await a.stop();
  });

  it('shares the shards fairly and without overlap when nodes join', async () => {
    const a = keeper('a');
    await a.start();
    const b = keeper('b');
    const c = keeper('c');
    await b.start();
    await c.start();
    // a gives back its excess on its next round, then b and c take what is free.
    for (let round = 0; round < 3; round += 1) for (const k of [a, b, c]) await k.tick();
    const shares = [a, b, c].map((k) => k.shards());
    expect(shares.map((s) => s.length).sort()).toEqual([20, 22, 22]);
    expect(shares.flat().sort((x, y) => x - y)).toEqual(all);
    await Promise.all([a, b, c].map((k) => k.stop()));
  });

  it('takes over the shards of a node that stopped renewing once its leases run out, and fences it', async () => {
    const deadEvents = { acquired: [] as number[], lost: [] as number[] };
    const dead = keeper('dead', deadEvents, 300);
    await dead.start();
    const staleFence = dead.fenceFor('chat-x') as Fence;
    const heirEvents = { acquired: [] as number[], lost: [] as number[] };
    // Long enough for its own fenced commit below to run within it on a loaded machine.
    const heir = keeper('heir', heirEvents, 3000);
    await heir.start();
    expect(heir.shards()).toEqual([]);
    // The dead node never ticks again; the heir's rounds find the leases free once they expire.
    while (heir.shards().length < SHARDS) await heir.tick();
    expect(heir.fenceFor('chat-x')?.epoch).toBe(staleFence.epoch + 1);

    // The paused owner wakes up and commits with what it believed: refused.
    const refused = await commitFenced(pool(), staleFence);
    expect(refused).toBeInstanceOf(FencedError);
    expect(await commitFenced(pool(), heir.fenceFor('chat-x') as Fence)).toBeUndefined();
    // Its next round tells it what it lost.
    await dead.tick();
    expect(dead.shards()).toEqual([]);
    expect(deadEvents.lost.sort((x, y) => x - y)).toEqual(all);
    await Promise.all([dead.stop(), heir.stop()]);
  });

  it('takes no shard while a fenced commit on it is in progress, and refuses the old owner afterwards', async () => {
    // Long enough for the fence check below to run within it on a loaded machine; then it runs out.
    const old = keeper('old', undefined, 2000);
    await old.start();
    const fence = old.fenceFor('chat-y') as Fence;
    const oldPool = pool();
    const client = await oldPool.connect();
    await client.query('BEGIN');
    await checkFence(client, fence);
    // The lease runs out while the transaction is open; a new node tries to take the shard.
    const heir = keeper('heir', undefined, 300);
    await heir.start();
    const watch = pool();
    for (;;) {
      const { rows } = await watch.query('SELECT 1 FROM roundel_shard_leases WHERE shard = $1 AND expires_at <= clock_timestamp()', [fence.shard]);
      if (rows.length === 1) break;
    }
    // Expired, but share-locked by the open commit: the heir takes every other shard, not this one.
    await heir.tick();
    expect(heir.shards()).toHaveLength(SHARDS - 1);
    expect(heir.fenceFor('chat-y')).toBeUndefined();
    await client.query('COMMIT');
    client.release();
    await heir.tick();
    expect(heir.fenceFor('chat-y')?.epoch).toBe(fence.epoch + 1);
    expect(await commitFenced(pool(), fence)).toBeInstanceOf(FencedError);
    await Promise.all([old.stop(), heir.stop()]);
  });

  it('gives every shard back at stop, so another node takes them at once', async () => {
    const a = keeper('a');
    await a.start();
    const b = keeper('b');
    await b.start();
    expect(b.shards()).toEqual([]);
    await a.stop();
    await b.tick();
    expect(b.shards()).toEqual(all);
    await b.stop();
  });
});
