/** The PostgreSQL engine: the store contract, then what only several writers can break. */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messagePush } from '../../chat/pushes';
import { silentLogger } from '../../logger';
import { usePostgres } from '../../test/services';
import { describeStoreContract } from '../contract';
import { describeIdempotencyContract } from '../idempotency-contract';
import { describeFilesContract } from '../files-contract';
import { FencedError, LeaseKeeper, type Fence } from '../../cluster/leases';
import { NotOwnerError, openPostgresStore, type PostgresStore } from './store';

const postgres = usePostgres();

describeStoreContract('PostgreSQL', (options) => openPostgresStore(postgres().database(), { ...options, logger: silentLogger }));

describeFilesContract('PostgreSQL', (options) => openPostgresStore(postgres().database(), { ...options, logger: silentLogger }));

describeIdempotencyContract('PostgreSQL', async () => {
  const store = await openPostgresStore(postgres().database(), { logger: silentLogger });
  return {
    store: store.idempotency,
    rows: async () => Number((await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM idempotency')).rows[0]?.n),
    close: () => store.close(),
  };
});

describe('PostgreSQL store with several nodes on one database', () => {
  let nodes: PostgresStore[];
  const CHAT = 'c-shared';
  const push = (text: string) => messagePush(CHAT, { id: text, author: 'bot', text });

  beforeEach(async () => {
    const url = postgres().database();
    // Sequential: the first migrates; the contract of concurrent migration is in cluster/leases.test.ts.
    nodes = [];
    for (let i = 0; i < 3; i += 1) nodes.push(await openPostgresStore(url, { logger: silentLogger, maxConnections: 4 }));
    await nodes[0]?.createChat({ id: CHAT, threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });

  const node = (i: number): PostgresStore => nodes[i % nodes.length] as PostgresStore;

  it('gives concurrent appends from every node contiguous seqs', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => node(i).append(CHAT, push(`m${i}`))));
    expect(results.map((r) => r.push.payload.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect((await node(1).readLog(CHAT, { after: 0 })).map((p) => p.payload.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await node(2).lastSeqs([CHAT, 'nope'])).toEqual(new Map([[CHAT, 60]]));
    expect((await node(2).tail(CHAT))?.payload.seq).toBe(60);
  });

  it('stores an output re-run on two nodes at once only once', async () => {
    const results = await Promise.all([0, 1, 2].map((i) => node(i).append(CHAT, push(`run on ${i}`), '42:1')));
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    const stored = results.find((r) => r.inserted)?.push;
    for (const r of results) expect(r.push).toEqual(stored);
    expect((await node(0).logBounds(CHAT)).lastSeq).toBe(1);
  });

  it('accepts an idempotent request raced on every node once', async () => {
    const customId = randomUUID();
    const results = await Promise.all(
      [0, 1, 2].map((i) => node(i).acceptInbound({ chatId: CHAT, input: { kind: 'message', text: 'hi', eventId: 'e1', customId }, push: push('hi') })),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    expect((await node(0).logBounds(CHAT)).lastSeq).toBe(1);
  });

  it('lets exactly one node claim an Idempotency-Key raced on every node', async () => {
    const now = new Date();
    const claims = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => node(i).idempotency.claim('api:k', 'same-key', now, 60_000)));
    expect(claims.map((c) => c.status).sort()).toEqual(['claimed', 'in_progress', 'in_progress', 'in_progress', 'in_progress', 'in_progress']);
  });

  it('frees the Idempotency-Key claims of a node that stopped heartbeating, not those of a live one', async () => {
    const now = new Date();
    const heartbeat = (owner: string) =>
      node(0).pool.query('INSERT INTO roundel_nodes (id, seen_at) VALUES ($1, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET seen_at = clock_timestamp()', [owner]);
    node(0).claimAs({ owner: 'alive/1', liveMs: 10_000 });
    node(1).claimAs({ owner: 'dead/1', liveMs: 10_000 });
    node(2).claimAs({ owner: 'retry/1', liveMs: 10_000 });
    await heartbeat('alive/1');
    await heartbeat('dead/1');
    expect(await node(0).idempotency.claim('api:k', 'held', now, 60_000)).toEqual({ status: 'claimed' });
    expect(await node(1).idempotency.claim('api:k', 'orphan', now, 60_000)).toEqual({ status: 'claimed' });
    // The second node dies: its heartbeat is older than the lease lifetime.
    await node(0).pool.query("UPDATE roundel_nodes SET seen_at = clock_timestamp() - interval '11 seconds' WHERE id = 'dead/1'");
    expect(await node(2).idempotency.claim('api:k', 'held', now, 60_000)).toEqual({ status: 'in_progress' });
    expect(await node(2).idempotency.claim('api:k', 'orphan', now, 60_000)).toEqual({ status: 'claimed' });
    // Taken over: the retry's node holds it now, and is alive.
    await heartbeat('retry/1');
    expect(await node(0).idempotency.claim('api:k', 'orphan', now, 60_000)).toEqual({ status: 'in_progress' });
  });

  it('keeps the first meta value when nodes race to set it (the token secret)', async () => {
    const values = await Promise.all([0, 1, 2].map((i) => node(i).putMetaIfAbsent('token_secret', `secret-${i}`)));
    expect(new Set(values).size).toBe(1);
  });

  it('keeps one pushback per origin when nodes race to create it', async () => {
    const made = await Promise.all(
      [0, 1, 2].map((i) =>
        node(i).createPushback({ id: `p${i}`, chatId: CHAT, channelType: 'chatwidget', botId: 'ep', event: 'e', eventData: {}, createdAt: 't' }, '7:0'),
      ),
    );
    expect(new Set(made.map((p) => p.id)).size).toBe(1);
  });
});

describe('PostgreSQL store fencing of worker writes', () => {
  it('lets the shard owner commit, refuses a node without the lease and an owner whose epoch is stale', async () => {
    const url = postgres().database();
    const store = await openPostgresStore(url, { logger: silentLogger });
    const CHAT = 'c-fenced';
    await store.createChat({ id: CHAT, threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
    const start = await store.nextPending(CHAT);
    const keeper = new LeaseKeeper({ pool: store.pool, nodeId: 'a', logger: silentLogger, ttlMs: 60_000, renewMs: 3_600_000 });
    await keeper.start();
    let fence: Fence | undefined = keeper.fenceFor(CHAT);
    store.fenceWith(() => fence);

    const output = messagePush(CHAT, { id: 'o', author: 'bot', text: 'out' });
    expect((await store.append(CHAT, output, `${start?.id}:1`)).inserted).toBe(true);
    // A visitor's own append (no origin) is not a worker's: no lease needed.
    fence = undefined;
    await expect(store.append(CHAT, output)).resolves.toMatchObject({ inserted: true });
    await expect(store.finishItem(start?.id ?? 0, CHAT, { s: 1 })).rejects.toBeInstanceOf(NotOwnerError);

    // Another node took the shard over (its epoch is newer): the old fence is refused.
    const stale = keeper.fenceFor(CHAT) as Fence;
    await store.pool.query('UPDATE roundel_shard_leases SET owner = $1, epoch = epoch + 1 WHERE shard = $2', ['b/1', stale.shard]);
    fence = stale;
    await expect(store.finishItem(start?.id ?? 0, CHAT, { s: 1 })).rejects.toBeInstanceOf(FencedError);
    await expect(store.append(CHAT, output, `${start?.id}:2`)).rejects.toBeInstanceOf(FencedError);
    expect(await store.nextPending(CHAT)).toMatchObject({ id: start?.id });
    expect((await store.getChat(CHAT))?.state).toEqual({});
    await keeper.stop();
    await store.close();
  });
});
