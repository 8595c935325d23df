import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Bot } from '../runtime/types';
import { ORIGIN, TestClient, startServer, type TestServer } from '../test/harness';

let t: TestServer;

/** Opens until an attempt is not refused with 429 (at most 50 tries, each awaiting the refusal). */
async function retryUntilOpen(open: () => Promise<TestClient>): Promise<TestClient> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await open();
    } catch (error) {
      if (attempt >= 50 || !String(error).includes('429')) throw error;
    }
  }
}
afterEach(async () => {
  await t.close();
});

const echoBot: Bot = {
  async onMessage(ctx, text) {
    await ctx.say(`echo ${text}`);
  },
};

describe('delivery', () => {
  it('gives every tab of a chat each seq once and in order, under concurrent senders', async () => {
    t = await startServer(echoBot, { messageRateLimit: { burst: 100, perSecond: 100 } });
    const a = await t.connect();
    const { token } = await a.call('login');
    const b = await t.connect();
    await b.call('login', { token, last_seq: 0 });
    const sends = [];
    for (let i = 0; i < 20; i += 1) {
      const client = i % 2 === 0 ? a : b;
      sends.push(client.call('send_event', { event: { type: 'message', text: `m${i}`, custom_id: `c${i}` } }));
    }
    await Promise.all(sends);
    // A third tab joins mid-stream with an old position.
    const c = await t.connect();
    await c.call('login', { token, last_seq: 5 });
    const expected = Array.from({ length: 40 }, (_, i) => i + 1);
    for (const client of [a, b]) {
      await client.pushesUntil(40);
      expect(client.storedPushes().map((p) => p.payload.seq)).toEqual(expected);
    }
    await c.pushesUntil(40);
    expect(c.storedPushes().map((p) => p.payload.seq)).toEqual(expected.slice(5));
  });
});

describe('connection discipline', () => {
  it('terminates a peer that stops answering pings', async () => {
    t = await startServer(echoBot, { heartbeatMs: 20, deadPeerMs: 60 });
    const silent = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(t.wsUrl(), { headers: { Origin: ORIGIN }, autoPong: false });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    const code = await new Promise<number>((resolve) => silent.once('close', (c) => resolve(c)));
    expect(code).toBe(1006); // terminated: no close frame
  });

  it('keeps a peer that answers pings', async () => {
    t = await startServer(echoBot, { heartbeatMs: 20, deadPeerMs: 60 });
    const client = await t.connect();
    await client.call('login');
    const pinged = await new Promise<number>((resolve) => {
      let pings = 0;
      client.ws.on('ping', () => {
        pings += 1;
        if (pings === 5) resolve(pings);
      });
    });
    expect(pinged).toBe(5);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses upgrades beyond maxConnections with 429 before upgrading, and admits again once one closes', async () => {
    t = await startServer(echoBot, { maxConnections: 1 });
    const first = await t.connect();
    await expect(TestClient.open(t.wsUrl(), ORIGIN)).rejects.toThrow('Unexpected server response: 429');
    expect((await first.call('login')).resumed).toBe(false);
    first.ws.close();
    await first.waitClose();
    // The slot is given back when the TCP socket closes, which may trail the close handshake.
    const third = await retryUntilOpen(() => TestClient.open(t.wsUrl(), ORIGIN));
    expect((await third.call('login')).resumed).toBe(false);
    third.ws.close();
  });

  it('refuses frames larger than the protocol limit', async () => {
    t = await startServer(echoBot);
    const client = await t.connect();
    client.sendRaw('x'.repeat(70 * 1024));
    expect(await client.waitClose()).toBe(1009);
  });
});
