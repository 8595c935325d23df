/**
 * The shared commit of a pushback activation (chat/service.ts, ingest; runtime.ts, runEarly): a
 * handler that answers within the event-loop turn has the item, its output and its done mark
 * stored by ONE group commit; a handler that waits has the item committed (and the 202 written)
 * first, and its output and done mark after. Counted with `roundel_store_commits_total`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Bot, Pushback } from '../runtime/types';
import { deferred, startServer, type TestClient, type TestServer } from '../test/harness';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

async function commits(): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('roundel_store_commits_total '));
  return Number(line?.split(' ')[1]);
}

async function setup(onEvent: Bot['onEvent']): Promise<{ client: TestClient; pushback: Pushback }> {
  const created = deferred<Pushback>();
  t = await startServer({
    async onStart(ctx) {
      created.resolve(await ctx.createPushback('ping', { n: 0 }));
    },
    onEvent,
  });
  const client = await t.connect();
  await client.call('login');
  const pushback = await created.promise;
  await t.server.idle();
  return { client, pushback };
}

const activate = (link: string, n: number) =>
  fetch(link, { method: 'POST', body: JSON.stringify({ n }), headers: { 'Content-Type': 'application/json' } });

describe('a pushback activation', () => {
  it('stores the item, the answer of a handler that answers at once and the done mark in one commit', async () => {
    const { client, pushback } = await setup((ctx, _event, data) => {
      void ctx.say(`pong ${String(data.n)}`);
    });
    const before = await commits();
    expect((await activate(pushback.link, 1)).status).toBe(202);
    await client.pushesUntil(1);
    await t.server.idle();
    expect(client.texts()).toEqual(['pong 1']);
    expect((await commits()) - before).toBe(1);

    // Again, on a chat whose worker retired meanwhile: the same single commit.
    expect((await activate(pushback.link, 2)).status).toBe(202);
    await client.pushesUntil(2);
    await t.server.idle();
    expect(client.texts()).toEqual(['pong 1', 'pong 2']);
    expect((await commits()) - before).toBe(2);
  });

  it('answers 202 before a handler that waits, whose answer and done mark follow in a commit of their own', async () => {
    const gate = deferred();
    const { client, pushback } = await setup(async (ctx, _event, data) => {
      await gate.promise;
      await ctx.say(`late ${String(data.n)}`);
    });
    const before = await commits();
    expect((await activate(pushback.link, 1)).status).toBe(202);
    expect((await commits()) - before).toBe(1);
    gate.resolve();
    await client.pushesUntil(1);
    await t.server.idle();
    expect(client.texts()).toEqual(['late 1']);
    expect((await commits()) - before).toBe(2);
  });

  it('runs activations of one chat in order, the first early and the others behind it', async () => {
    const { client, pushback } = await setup((ctx, _event, data) => {
      void ctx.say(`pong ${String(data.n)}`);
    });
    const answers = await Promise.all([1, 2, 3, 4].map((n) => activate(pushback.link, n)));
    expect(answers.map((res) => res.status)).toEqual([202, 202, 202, 202]);
    await client.pushesUntil(4);
    await t.server.idle();
    // The four requests race to the server; each answer follows its own activation, once.
    expect([...client.texts()].sort()).toEqual(['pong 1', 'pong 2', 'pong 3', 'pong 4']);
    expect(client.storedPushes().map((push) => push.payload.seq)).toEqual([1, 2, 3, 4]);
  });
});
