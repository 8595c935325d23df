/** The PostgreSQL engine's group commit (batch.ts) on a real PostgreSQL: one COMMIT per turn, all or nothing, per-job failures and fences. */
import { afterEach, describe, expect, it } from 'vitest';
import { messagePush } from '../../chat/pushes';
import { FencedError, shardOf, type Fence } from '../../cluster/leases';
import { silentLogger } from '../../logger';
import { usePostgres } from '../../test/services';
import { CommitError } from '../group-commit';
import { NotOwnerError, openPostgresStore, type PostgresStore } from './store';

const postgres = usePostgres();
const CHATS = ['c-a', 'c-b', 'c-c'];
const push = (chatId: string, text: string) => messagePush(chatId, { id: text, author: 'bot', text });
/** The text of a stored message push. */
const textOf = (p: { payload: object }): unknown => ('event' in p.payload ? (p.payload.event as { text?: unknown }).text : undefined);
const event = (text: string) => ({ kind: 'pushback' as const, pushbackId: 'p', event: 'e', eventData: { text } });

describe('PostgreSQL group commit', () => {
  let stores: PostgresStore[] = [];
  /** Writes per committed transaction, in commit order. */
  let commits: number[] = [];

  const open = async (url = postgres().database()): Promise<PostgresStore> => {
    const store = await openPostgresStore(url, { logger: silentLogger, onCommit: (writes) => commits.push(writes) });
    stores.push(store);
    return store;
  };
  const withChats = async (store: PostgresStore): Promise<PostgresStore> => {
    for (const id of CHATS) await store.createChat({ id, threadId: `t-${id}`, endpoint: 'ep', organization: 'org', context: {} });
    commits = [];
    return store;
  };
  const inboxCount = async (store: PostgresStore): Promise<number> =>
    Number((await store.pool.query<{ n: string }>("SELECT count(*) AS n FROM inbox WHERE kind <> 'start'")).rows[0]?.n);

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
    commits = [];
  });

  it('commits the writes of one event-loop turn, across chats and kinds, with one transaction', async () => {
    const store = await withChats(await open());
    const start = await store.nextPending('c-a');
    const writes = await Promise.all([
      ...CHATS.map((chatId, i) => store.acceptInbound({ chatId, input: event(`in ${i}`), push: push(chatId, `echo ${i}`) })),
      ...CHATS.map((chatId, i) => store.append(chatId, push(chatId, `out ${i}`), `o:${i}`)),
      store.finishItem(start?.id ?? 0, 'c-a', { turned: true }),
    ]);
    expect(writes).toHaveLength(7);
    expect(commits).toEqual([7]);
    for (const chatId of CHATS) expect((await store.readLog(chatId, { after: 0 })).map((p) => p.payload.seq)).toEqual([1, 2]);
    expect((await store.getChat('c-a'))?.state).toEqual({ turned: true });
    expect(await inboxCount(store)).toBe(3);
  });

  it('stores the writes of one chat in the order they were requested, between other chats’ writes', async () => {
    const store = await withChats(await open());
    const order = ['c-c', 'c-a', 'c-b', 'c-a', 'c-c', 'c-a'];
    const results = await Promise.all(order.map((chatId, i) => store.append(chatId, push(chatId, `m${i}`))));
    expect(commits).toEqual([6]);
    expect(results.filter((_, i) => order[i] === 'c-a').map((r) => r.push.payload.seq)).toEqual([1, 2, 3]);
    const texts = (await store.readLog('c-a', { after: 0 })).map(textOf);
    expect(texts).toEqual(['m1', 'm3', 'm5']);
  });

  it('fails only the write that failed; the rest of its batch commits', async () => {
    const store = await withChats(await open());
    const results = await Promise.allSettled([
      store.append('c-a', push('c-a', 'kept 1')),
      store.append('missing', push('missing', 'refused')),
      store.acceptInbound({ chatId: 'c-b', input: event('kept 2'), push: push('c-b', 'kept 2') }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('chat missing does not exist');
    expect(commits).toEqual([3]);
    expect((await store.logBounds('c-a')).lastSeq).toBe(1);
    expect((await store.logBounds('c-b')).lastSeq).toBe(1);
  });

  it('isolates several failing writes of one batch, and tells the intake the id of the item that was committed', async () => {
    const store = await withChats(await open());
    let told: number | undefined;
    const start = await store.nextPending('c-c');
    const results = await Promise.allSettled([
      store.acceptInbound({ chatId: 'c-a', input: event('kept 1'), push: push('c-a', 'kept 1'), stored: (item) => (told = item.id) }),
      store.append('missing-1', push('missing-1', 'refused')),
      store.append('c-b', push('c-b', 'kept 2')),
      store.append('missing-2', push('missing-2', 'refused')),
      store.finishItem(start?.id ?? 0, 'c-c', { kept: 3 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(commits).toEqual([5]);
    const accepted = (results[0] as PromiseFulfilledResult<{ status: string; item?: { id: number } }>).value;
    expect(accepted.status).toBe('accepted');
    expect(told).toBe(accepted.item?.id);
    expect(await store.nextPending('c-a')).toMatchObject({ kind: 'start' });
    expect((await store.readLog('c-a', { after: 0 })).map(textOf)).toEqual(['kept 1']);
    expect((await store.readLog('c-b', { after: 0 })).map(textOf)).toEqual(['kept 2']);
    expect((await store.getChat('c-c'))?.state).toEqual({ kept: 3 });
    expect(await inboxCount(store)).toBe(1);
  });

  it('fails every caller of a batch whose COMMIT fails, stores none of them, and commits the next batch', async () => {
    const store = await withChats(await open());
    store.failNextCommits(1);
    const failed = await Promise.allSettled([
      ...CHATS.map((chatId) => store.acceptInbound({ chatId, input: event('lost'), push: push(chatId, 'lost') })),
      store.append('c-a', push('c-a', 'lost too')),
    ]);
    for (const r of failed) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(CommitError);
      expect(((r as PromiseRejectedResult).reason as CommitError).batchSize).toBe(4);
    }
    expect(commits).toEqual([]);
    expect(await inboxCount(store)).toBe(0);
    for (const chatId of CHATS) expect(await store.logBounds(chatId)).toEqual({ oldestSeq: 1, lastSeq: 0 });

    await Promise.all(CHATS.map((chatId) => store.acceptInbound({ chatId, input: event('kept'), push: push(chatId, 'kept') })));
    expect(commits).toEqual([3]);
    expect(await inboxCount(store)).toBe(3);
    for (const chatId of CHATS) expect((await store.logBounds(chatId)).lastSeq).toBe(1);
  });

  it('stores a lone one-statement intake as its own transaction, and still fails it when a commit failure is injected', async () => {
    const store = await withChats(await open());
    store.failNextCommits(1);
    await expect(store.acceptInbound({ chatId: 'c-a', input: event('lost') })).rejects.toBeInstanceOf(CommitError);
    expect(await inboxCount(store)).toBe(0);
    const kept = await store.acceptInbound({ chatId: 'c-a', input: event('kept') });
    expect(kept).toMatchObject({ status: 'accepted', item: { chatId: 'c-a', input: event('kept') } });
    expect(await store.acceptInbound({ chatId: 'missing', input: event('x') })).toEqual({ status: 'missing' });
    expect(commits).toEqual([1, 1]);
    expect(await inboxCount(store)).toBe(1);
    await store.finishItem((await store.nextPending('c-a'))?.id ?? 0, 'c-a', undefined);
    expect(await store.nextPending('c-a')).toMatchObject({ id: kept.status === 'accepted' ? kept.item.id : -1 });
  });

  it('proves each worker write’s lease inside the batch: a write without it fails alone', async () => {
    const store = await withChats(await open());
    const shards = CHATS.map(shardOf);
    // Held: c-a's shard at epoch 1. Stale: c-b's shard (leased to another owner now). Not held: c-c.
    await store.pool.query(
      `INSERT INTO roundel_shard_leases (shard, owner, epoch, expires_at) VALUES
         ($1, 'me/1', 1, clock_timestamp() + interval '1 minute'), ($2, 'other/1', 2, clock_timestamp() + interval '1 minute')
       ON CONFLICT (shard) DO UPDATE SET owner = excluded.owner, epoch = excluded.epoch, expires_at = excluded.expires_at`,
      [shards[0], shards[1]],
    );
    const fences: Record<string, Fence> = { 'c-a': { shard: shards[0] as number, owner: 'me/1', epoch: 1 }, 'c-b': { shard: shards[1] as number, owner: 'me/1', epoch: 1 } };
    store.fenceWith((chatId) => fences[chatId]);
    const results = await Promise.allSettled([
      ...CHATS.map((chatId) => store.append(chatId, push(chatId, 'bot'), `1:${chatId}`)),
      // A visitor's own write needs no lease.
      store.append('c-c', push('c-c', 'visitor')),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { inserted: true } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(FencedError) });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: expect.any(NotOwnerError) });
    expect(results[3]).toMatchObject({ status: 'fulfilled' });
    expect(commits).toEqual([4]);
    expect((await store.readLog('c-b', { after: 0 })).length).toBe(0);
    expect((await store.readLog('c-c', { after: 0 })).map(textOf)).toEqual(['visitor']);
  });

  it('appends in one statement: stores exactly the push it returns, finds a re-run origin, trims the log', async () => {
    const url = postgres().database();
    const store = await openPostgresStore(url, { logger: silentLogger, retention: { maxEvents: 3 } });
    stores.push(store);
    await withChats(store);
    const shard = shardOf('c-a');
    await store.pool.query(
      `INSERT INTO roundel_shard_leases (shard, owner, epoch, expires_at) VALUES ($1, 'me/1', 1, clock_timestamp() + interval '1 minute')
       ON CONFLICT (shard) DO UPDATE SET owner = excluded.owner, epoch = excluded.epoch, expires_at = excluded.expires_at`,
      [shard],
    );
    store.fenceWith((chatId) => (chatId === 'c-a' ? { shard, owner: 'me/1', epoch: 1 } : undefined));
    const returned = [];
    for (let i = 1; i <= 5; i += 1) {
      // A bot output (an origin: the fenced look-up in the same statement) and a visitor's own (none).
      const out = await store.append('c-a', push('c-a', `out ${i} "quoted" \\u2028`), `${i}:1`);
      expect(out.inserted).toBe(true);
      returned.push(out.push, (await store.append('c-a', push('c-a', `in ${i}`))).push);
    }
    expect(returned.map((p) => p.payload.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await store.readLog('c-a', { after: 0 })).toEqual(returned.slice(-3));
    expect(await store.logBounds('c-a')).toEqual({ oldestSeq: 8, lastSeq: 10 });
    const again = await store.append('c-a', push('c-a', 'run again'), '5:1');
    expect(again).toEqual({ push: returned[8], inserted: false });
    expect((await store.logBounds('c-a')).lastSeq).toBe(10);
    await expect(store.append('missing', push('missing', 'x'))).rejects.toThrow('chat missing does not exist');
  });

  it('never deadlocks two nodes whose batches lock the same chats in opposite request orders', async () => {
    const url = postgres().database();
    const a = await withChats(await open(url));
    const b = await open(url);
    const rounds = 20;
    for (let round = 0; round < rounds; round += 1) {
      // Same turn on both nodes; each holds its first chat's row lock while it asks for the next.
      await Promise.all([
        ...CHATS.map((chatId) => a.append(chatId, push(chatId, `a${round}`))),
        ...[...CHATS].reverse().map((chatId) => b.append(chatId, push(chatId, `b${round}`))),
      ]);
    }
    for (const chatId of CHATS) expect((await a.logBounds(chatId)).lastSeq).toBe(2 * rounds);
  });
});
