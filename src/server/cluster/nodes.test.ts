/**
 * Three nodes in one process on one PostgreSQL and one Redis: whatever is raised through any node
 * reaches a visitor connected to another, and the database, not the node, is what they share.
 * (Crashes, pauses and outages of whole processes are in cluster/*.process.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import { CloseCode } from '../../protocol';
import type { Bot, Pushback } from '../runtime/types';
import type { ServerOptions } from '../server';
import { KEY_A, call } from '../test/api';
import { useClusterNodes } from '../test/cluster-nodes';
import { deferred, startServer, type TestServer } from '../test/harness';

const { postgres, redis, startNodes } = useClusterNodes();

describe('several nodes on PostgreSQL and Redis', () => {
  let created: ReturnType<typeof deferred<Pushback>>;
  const bot: Bot = {
    async onStart(ctx) {
      created.resolve(await ctx.createPushback('offer', { text: 'from the start' }));
    },
    async onEvent(ctx, event, data) {
      await ctx.say(`${event}: ${String(data.text)}`);
    },
  };
  beforeEach(() => {
    created = deferred<Pushback>();
  });

  it('shows a visitor on node A a pushback POSTed to node B and an external event POSTed to node C', async () => {
    const [a, b, c] = await startNodes(bot);
    const visitor = await a!.connect();
    const { chat_id: chatId } = await visitor.call('login');
    const pushback = await created.promise;

    const viaB = pushback.link.replace(/^http:\/\/[^/]+/, b!.url);
    expect((await fetch(viaB, { method: 'POST', body: JSON.stringify({ text: 'via B' }) })).status).toBe(202);
    await visitor.pushesUntil(1);
    const res = await call(c!.url, '/api/v1/events/news', { body: { users: [chatId], data: { text: 'via C' } } });
    expect(res).toMatchObject({ status: 202, body: { matched: 1 } });
    const pushes = await visitor.pushesUntil(2);
    expect(pushes.map((p) => p.payload.seq)).toEqual([1, 2]);
    expect(visitor.texts()).toEqual(['offer: via B', 'news: via C']);
  });

  it('counts a pushback\'s rate limit in Redis, across the nodes', async () => {
    const [a, b, c] = await startNodes(bot, 3, { pushgateRateLimit: { burst: 2, perSecond: 0.1 } });
    const visitor = await a!.connect();
    await visitor.call('login');
    const { link } = await created.promise;
    const via = (node: TestServer) => fetch(link.replace(/^http:\/\/[^/]+/, node.url), { method: 'POST', body: '{}' });
    expect((await via(a!)).status).toBe(202);
    expect((await via(b!)).status).toBe(202);
    const third = await via(c!);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('closes the widgets of an erased chat on every node (4005), whichever node took the DELETE', async () => {
    const [a, b, c] = await startNodes(bot);
    const onA = await a!.connect();
    const { chat_id: chatId, token } = await onA.call('login');
    await created.promise;
    const onC = await c!.connect();
    expect(await onC.call('login', { token: String(token), last_seq: 0 })).toMatchObject({ chat_id: chatId });
    const other = await a!.connect();
    await other.call('login');

    expect((await call(b!.url, `/api/v1/chats/${String(chatId)}`, { method: 'DELETE' })).status).toBe(204);
    expect(await Promise.all([onA.waitClose(), onC.waitClose()])).toEqual([CloseCode.ChatErased, CloseCode.ChatErased]);
    // Another chat's widget is left alone.
    expect(await other.call('ping')).toBeDefined();
    expect(other.closeCode).toBeUndefined();
  });

  it('names the node in /healthz and shares one token secret: a visitor resumes on another node', async () => {
    const [a, b] = await startNodes(bot, 2);
    const health = await Promise.all([a!, b!].map(async (n) => (await fetch(`${n.url}/healthz`)).json()));
    expect(health).toEqual([{ status: 'ok', node: 'node-a' }, { status: 'ok', node: 'node-b' }]);

    const first = await a!.connect();
    const login = await first.call('login');
    await created.promise;
    first.ws.close();
    const again = await b!.connect();
    const resumed = await again.call('login', { token: String(login.token), last_seq: 0 });
    expect(resumed).toMatchObject({ chat_id: login.chat_id, recovered: true });
  });
});

describe('a node that cannot start', () => {
  it('closes its database pool and its Redis connections before it reports the failure', async () => {
    const database = postgres().database();
    const bot: Bot = {};
    await expect(
      startServer(bot, {
        database,
        redis: redis().url,
        nodeId: 'node-doomed',
        secret: undefined,
        // The token secret cannot be read: the database answered the migration, then failed.
        onStore: (store) => {
          Object.assign(store, { putMetaIfAbsent: () => Promise.reject(new Error('meta is unreadable')) });
        },
      }),
    ).rejects.toThrow('meta is unreadable');
    const db = new pg.Client({ connectionString: database });
    await db.connect();
    const client = new Redis(redis().url, { lazyConnect: true });
    try {
      const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'roundel'");
      expect(Number(rows[0]?.n)).toBe(0);
      await client.connect();
      const list = String(await client.client('LIST'));
      expect(list.split('\n').filter((line) => / name=roundel/.test(line))).toEqual([]);
    } finally {
      await db.end();
      client.disconnect();
    }
  });
});

describe('outages of Redis and PostgreSQL', () => {
  const bot: Bot = {
    async onEvent(ctx, event, data) {
      await ctx.say(`${event}: ${String(data.text)}`);
    },
  };

  async function visitorAndEvents(a: TestServer): Promise<{ visitor: Awaited<ReturnType<TestServer['connect']>>; send: (text: string, via: TestServer) => Promise<number> }> {
    const visitor = await a.connect();
    const { chat_id: chatId } = await visitor.call('login');
    const send = async (text: string, via: TestServer) =>
      (await call(via.url, '/api/v1/events/news', { body: { users: [String(chatId)], data: { text } } })).status;
    return { visitor, send };
  }

  it('loses nothing while Redis restarts: delivery pauses, then catches up from the database', async () => {
    const [a, b] = await startNodes(bot, 2);
    const { visitor, send } = await visitorAndEvents(a!);
    expect(await send('before', b!)).toBe(202);
    await visitor.pushesUntil(1);

    await redis().stop();
    expect(await send('while Redis is down', b!)).toBe(202);
    await redis().start();
    expect(await send('after', b!)).toBe(202);
    await visitor.pushesUntil(3);
    expect(visitor.texts()).toEqual(['news: before', 'news: while Redis is down', 'news: after']);
    expect(visitor.storedPushes().map((p) => p.payload.seq)).toEqual([1, 2, 3]);
  });

  it('answers 503 to writes and on /healthz while PostgreSQL is down, and recovers by itself', async () => {
    const [a, b] = await startNodes(bot, 2);
    const { visitor, send } = await visitorAndEvents(a!);
    expect(await send('before', b!)).toBe(202);
    await visitor.pushesUntil(1);

    await postgres().server.stop('fast');
    const health = await fetch(`${b!.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([503, { status: 'unavailable', node: 'node-b' }]);
    const refused = await call(b!.url, '/api/v1/events/news', { body: { users: ['x'], data: { text: 'lost?' } } });
    expect(refused).toMatchObject({ status: 503, body: { error: { type: 'internal' } } });
    expect(refused.headers.get('retry-after')).toBe('5');

    await postgres().server.start();
    expect((await fetch(`${b!.url}/healthz`)).status).toBe(200);
    expect(await send('after', b!)).toBe(202);
    await visitor.pushesUntil(2);
    expect(visitor.texts()).toEqual(['news: before', 'news: after']);
  });
});
