import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite';
import type { Store } from '../store/types';
import { WebhookDispatcher, type DeliveryResult } from './dispatcher';
import { deliveriesFor, hookKey } from './outbox';
import { nextAttemptAt, DEFAULT_RETRY_SCHEDULE } from './schedule';
import { signBody, verifySignature } from './sign';

describe('signatures', () => {
  it('is the lowercase hex HMAC-SHA256 of the raw body', () => {
    // RFC 4231 test case 2.
    expect(signBody('Jefe', 'what do ya want for nothing?')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(verifySignature('Jefe', 'what do ya want for nothing?', signBody('Jefe', 'what do ya want for nothing?'))).toBe(true);
    expect(verifySignature('Jefe', 'what do ya want for nothing!', signBody('Jefe', 'what do ya want for nothing?'))).toBe(false);
    expect(verifySignature('Jefe', 'x', undefined)).toBe(false);
  });
});

describe('retry schedule', () => {
  it('backs off exponentially up to the cap and gives up after 24 hours', () => {
    const half = () => 0;
    const at = (failures: number, now = 0) => nextAttemptAt(DEFAULT_RETRY_SCHEDULE, 0, failures, now, half);
    expect(at(1)).toBe(500);
    expect(at(2)).toBe(1000);
    expect(at(5)).toBe(8000);
    expect(at(40)).toBe(DEFAULT_RETRY_SCHEDULE.maxMs / 2);
    const day = DEFAULT_RETRY_SCHEDULE.giveUpAfterMs;
    expect(at(50, day - 10)).toBe(day);
    expect(at(50, day)).toBeUndefined();
  });
});

const push = (chatId: string, text: string) => ({
  action: 'incoming_event' as const,
  type: 'push' as const,
  payload: { chat_id: chatId, thread_id: 't', event: { id: text, type: 'message' as const, author_id: chatId, text, created_at: 't', visibility: 'all' as const } },
});

describe('deliveriesFor', () => {
  it('makes one signed body per hook that lists the action', () => {
    const source = {
      organization: 'acme',
      endpoint: 'demo',
      hooks: [
        { url: 'http://127.0.0.1:1/a', secret: 's', actions: ['incoming_event'] },
        { url: 'http://127.0.0.1:1/b', secret: 's', actions: ['thread_closed'] },
      ],
    };
    const [delivery, ...rest] = deliveriesFor(source, push('c1', 'hi'), new Date(0), () => 'w1');
    expect(rest).toEqual([]);
    expect(delivery).toMatchObject({ webhookId: 'w1', hook: hookKey('demo', 'http://127.0.0.1:1/a'), chatId: 'c1', action: 'incoming_event' });
    expect(JSON.parse(delivery!.body)).toEqual({
      webhook_id: 'w1',
      action: 'incoming_event',
      organization: 'acme',
      endpoint: 'demo',
      payload: push('c1', 'hi').payload,
      created_at: '1970-01-01T00:00:00.000Z',
    });
  });
});

describe('the SQLite outbox', () => {
  let store: Store;
  afterEach(() => store?.close());

  const enqueue = (chat: string, id: string, hook = 'h') =>
    store.webhooks.enqueue([{ webhookId: id, hook, endpoint: 'e', url: 'u', chatId: chat, action: 'incoming_event', body: id }], 0);

  it('leases only the head of each (hook, chat) queue, to one owner at a time', async () => {
    store = openSqliteStore(':memory:');
    await enqueue('c1', 'a1');
    await enqueue('c1', 'a2');
    await enqueue('c2', 'b1');
    await enqueue('c1', 'h2-a1', 'h2');
    const first = await store.webhooks.claim(0, 100, 'n1', 10);
    expect(first.map((row) => row.webhookId)).toEqual(['a1', 'b1', 'h2-a1']);
    expect(await store.webhooks.claim(0, 100, 'n2', 10)).toEqual([]);
    // Another owner cannot finish what n1 holds.
    expect(await store.webhooks.delivered(first[0]!.id, 'n2', 1)).toBe(false);
    expect(await store.webhooks.delivered(first[0]!.id, 'n1', 1)).toBe(true);
    // The lease of n1 on b1 expired: n2 takes it over, and a2 is now c1's head.
    const second = await store.webhooks.claim(101, 200, 'n2', 10);
    expect(second.map((row) => row.webhookId)).toEqual(['a2', 'b1', 'h2-a1']);
  });

  it('keeps a retried head back until its time, and the queue behind it too', async () => {
    store = openSqliteStore(':memory:');
    await enqueue('c1', 'a1');
    await enqueue('c1', 'a2');
    const [head] = await store.webhooks.claim(0, 100, 'n1', 10);
    expect(await store.webhooks.retry(head!.id, 'n1', 50, 'HTTP 500')).toBe(true);
    expect(await store.webhooks.nextDueAt()).toBe(50);
    expect(await store.webhooks.claim(10, 100, 'n1', 10)).toEqual([]);
    const [again] = await store.webhooks.claim(50, 150, 'n1', 10);
    expect(again).toMatchObject({ webhookId: 'a1', attempts: 1 });
    expect(await store.webhooks.abandon(again!.id, 'n1', 'gone', 60)).toBe(true);
    expect((await store.webhooks.claim(60, 150, 'n1', 10)).map((row) => row.webhookId)).toEqual(['a2']);
    expect(await store.webhooks.pendingCount()).toBe(1);
  });

  it('ignores a second enqueue of the same webhook_id', async () => {
    store = openSqliteStore(':memory:');
    await enqueue('c1', 'a1');
    await enqueue('c1', 'a1');
    expect(await store.webhooks.pendingCount()).toBe(1);
  });
});

/** A receiver on 127.0.0.1 that answers 500 to its first `failures` requests. */
async function receiver(failures: number) {
  const received: { body: string; signature: string | undefined; status: number }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = received.length < failures ? 500 : 204;
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-roundel-signature'] as string | undefined, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('WebhookDispatcher', () => {
  it('retries a failing receiver, signs every attempt, and delivers each chat in order', async () => {
    const hook = await receiver(2);
    const store = openSqliteStore(':memory:');
    const results: DeliveryResult[] = [];
    let resultWaiters: (() => void)[] = [];
    const source = { organization: 'acme', endpoint: 'demo', hooks: [{ url: hook.url, secret: 'shh', actions: ['incoming_event'] }] };
    const dispatcher = new WebhookDispatcher({
      outbox: store.webhooks,
      resolve: (endpoint, url) => (endpoint === 'demo' && url === hook.url ? { url, secret: 'shh' } : undefined),
      owner: 'n1',
      schedule: { baseMs: 5, maxMs: 20, giveUpAfterMs: 60_000 },
      onResult: (result) => {
        results.push(result);
        for (const wake of resultWaiters) wake();
        resultWaiters = [];
      },
    });
    try {
      await store.webhooks.enqueue([...deliveriesFor(source, push('c1', 'one'), new Date()), ...deliveriesFor(source, push('c1', 'two'), new Date())], Date.now());
      dispatcher.start();
      while (results.length < 4) await new Promise<void>((resolve) => resultWaiters.push(resolve));
      expect(hook.received.map((r) => [JSON.parse(r.body).payload.event.text, r.status])).toEqual([
        ['one', 500],
        ['one', 500],
        ['one', 204],
        ['two', 204],
      ]);
      for (const r of hook.received) expect(verifySignature('shh', r.body, r.signature)).toBe(true);
      // A retry resends the same body: the receiver drops repeats by webhook_id.
      expect(new Set(hook.received.slice(0, 3).map((r) => JSON.parse(r.body).webhook_id)).size).toBe(1);
      expect(results).toEqual(['retry', 'retry', 'delivered', 'delivered']);
    } finally {
      await dispatcher.stop();
      await store.close();
      await hook.close();
    }
  });

  it('abandons a row whose hook was removed from the config', async () => {
    const store = openSqliteStore(':memory:');
    const results: DeliveryResult[] = [];
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const dispatcher = new WebhookDispatcher({
      outbox: store.webhooks,
      resolve: () => undefined,
      owner: 'n1',
      schedule: DEFAULT_RETRY_SCHEDULE,
      onResult: (result) => {
        results.push(result);
        resolveDone();
      },
    });
    try {
      await store.webhooks.enqueue([{ webhookId: 'w', hook: 'h', endpoint: 'e', url: 'http://127.0.0.1:9/', chatId: 'c', action: 'a', body: '{}' }], Date.now());
      dispatcher.start();
      await done;
      expect(results).toEqual(['abandoned']);
      expect(await store.webhooks.pendingCount()).toBe(0);
    } finally {
      await dispatcher.stop();
      await store.close();
    }
  });
});

describe('a restarted node', () => {
  it('frees the leases it held before, so a row cut off mid-delivery goes out at once', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await store.webhooks.enqueue([{ webhookId: 'w', hook: 'h', endpoint: 'e', url: 'u', chatId: 'c', action: 'a', body: '{}' }], 0);
      expect(await store.webhooks.claim(0, 60_000, 'node-a', 10)).toHaveLength(1);
      expect(await store.webhooks.claim(1, 60_000, 'node-a', 10)).toEqual([]);
      await store.webhooks.release('node-b');
      expect(await store.webhooks.claim(1, 60_000, 'node-b', 10)).toEqual([]);
      await store.webhooks.release('node-a');
      expect((await store.webhooks.claim(1, 60_000, 'node-a', 10)).map((row) => row.webhookId)).toEqual(['w']);
    } finally {
      await store.close();
    }
  });
});
