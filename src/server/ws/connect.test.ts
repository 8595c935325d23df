import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Bot } from '../runtime/types';
import { ORIGIN, startServer, type TestServer } from '../test/harness';

/** Answers every message with "echo: <text>"; greets on start. */
const echoBot: Bot = {
  async onStart(ctx) {
    await ctx.say('hello');
  },
  async onMessage(ctx, text) {
    await ctx.say(`echo: ${text}`);
  },
};

let t: TestServer;
afterEach(async () => {
  await t.close();
});

/** The HTTP status with which an upgrade was refused. */
function refusedStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { headers: { Origin: origin } });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => {});
  });
}

async function chatsCreated(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').find((line) => line.startsWith('roundel_chats_created_total')) ?? '';
}

describe('websocket upgrade', () => {
  it('refuses unknown organizations, endpoints and paths with 404 before upgrading', async () => {
    t = await startServer(echoBot);
    expect(await refusedStatus(t.wsUrl('acme', 'nope'), ORIGIN)).toBe(404);
    expect(await refusedStatus(t.wsUrl('other-org', 'acme-test'), ORIGIN)).toBe(404);
    expect(await refusedStatus(t.url.replace('http', 'ws') + '/socket', ORIGIN)).toBe(404);
    expect(await chatsCreated(t.url)).toBe('roundel_chats_created_total 0');
  });

  it('refuses an origin outside allowedOrigins with 403 and creates nothing', async () => {
    t = await startServer(echoBot);
    expect(await refusedStatus(t.wsUrl(), 'https://evil.example')).toBe(403);
    expect(await refusedStatus(t.wsUrl(), 'null')).toBe(403);
    expect(await chatsCreated(t.url)).toBe('roundel_chats_created_total 0');
  });

  it('accepts the allowed origin, the server’s own origin and the configured public origin', async () => {
    t = await startServer(echoBot, { publicUrl: 'https://chat.example.com/' });
    for (const origin of [ORIGIN, t.url, 'https://chat.example.com']) {
      const client = await t.connect({ origin });
      expect((await client.call('login')).resumed).toBe(false);
      client.ws.close();
    }
  });
});

describe('login', () => {
  it('creates a chat, runs onStart after the response, and resumes it with the token', async () => {
    t = await startServer(echoBot);
    const a = await t.connect();
    const login = await a.call('login', { context: { plan: 'pro' } });
    expect(login).toMatchObject({ resumed: false, recovered: true, last_seq: 0, history: [] });
    expect(login.customer_id).toBe(login.chat_id);
    expect(login.settings).toEqual({ title: 'Chat', theme: {} });
    expect(String(login.token).startsWith(`${String(login.chat_id)}.`)).toBe(true);
    await a.pushesUntil(1);
    expect(a.texts()).toEqual(['hello']);

    const b = await t.connect();
    const resumed = await b.call('login', { token: login.token, last_seq: 1 });
    expect(resumed).toMatchObject({ chat_id: login.chat_id, resumed: true, recovered: true, last_seq: 1, history: [] });
    await b.call('send_event', { event: { type: 'message', text: 'hi', custom_id: 'c1' } });
    // Both tabs of the chat see the visitor message and the answer, each exactly once.
    for (const client of [a, b]) await client.pushesUntil(3);
    expect(a.storedPushes().map((p) => p.payload.seq)).toEqual([1, 2, 3]);
    expect(b.storedPushes().map((p) => p.payload.seq)).toEqual([2, 3]);
    expect(b.texts()).toEqual(['echo: hi']);
  });

  it('starts a new chat for an invalid token and for a forged token of another chat', async () => {
    t = await startServer(echoBot);
    const a = await t.connect();
    const first = await a.call('login');
    const other = await (await t.connect()).call('login');
    const forged = `${String(other.chat_id)}.${String(first.token).split('.')[1]}`;
    for (const token of ['garbage', `${String(first.chat_id)}.AAAA`, forged]) {
      const c = await t.connect();
      const login = await c.call('login', { token });
      expect(login.resumed).toBe(false);
      expect(login.chat_id).not.toBe(first.chat_id);
      expect(login.chat_id).not.toBe(other.chat_id);
    }
  });

  it('does not resume a token of another endpoint', async () => {
    t = await startServer(echoBot, {
      endpoints: [
        { organization: 'acme', endpoint: 'acme-test', bot: echoBot, allowedOrigins: [ORIGIN] },
        { organization: 'acme', endpoint: 'acme-two', bot: echoBot, allowedOrigins: [ORIGIN] },
      ],
    });
    const first = await (await t.connect()).call('login');
    const c = await t.connect({ endpoint: 'acme-two' });
    const login = await c.call('login', { token: first.token });
    expect(login.resumed).toBe(false);
  });

  it('replays exactly the pushes after last_seq, and returns history up to it when asked', async () => {
    t = await startServer(echoBot);
    const a = await t.connect();
    const { token } = await a.call('login');
    await a.pushesUntil(1);
    for (const n of [1, 2]) await a.call('send_event', { event: { type: 'message', text: `m${n}`, custom_id: `c${n}` } });
    await a.pushesUntil(5);

    const b = await t.connect();
    const login = await b.call('login', { token, last_seq: 2, history: true });
    expect(login.last_seq).toBe(5);
    expect((login.history as Array<{ payload: { seq: number } }>).map((p) => p.payload.seq)).toEqual([1, 2]);
    await b.pushesUntil(5);
    expect(b.storedPushes().map((p) => p.payload.seq)).toEqual([3, 4, 5]);
    // The replay follows the response.
    const responseIndex = b.frames.findIndex((f) => f.type === 'response' && f.action === 'login');
    const firstPushIndex = b.frames.findIndex((f) => f.type === 'push');
    expect(responseIndex).toBeLessThan(firstPushIndex);
  });

  it('answers recovered:false with every retained push when last_seq is beyond the chat', async () => {
    t = await startServer(echoBot);
    const a = await t.connect();
    const { token } = await a.call('login');
    await a.pushesUntil(1);
    const b = await t.connect();
    const login = await b.call('login', { token, last_seq: 40 });
    expect(login).toMatchObject({ resumed: true, recovered: false, last_seq: 1 });
    expect((login.history as Array<{ payload: { seq: number } }>).map((p) => p.payload.seq)).toEqual([1]);
    await b.call('send_event', { event: { type: 'message', text: 'x', custom_id: 'x' } });
    await b.pushesUntil(3);
    expect(b.storedPushes().map((p) => p.payload.seq)).toEqual([2, 3]);
  });

  it('answers recovered:false when retention trimmed past last_seq', async () => {
    t = await startServer(echoBot, { retention: { maxEvents: 2 } });
    const a = await t.connect();
    const { token } = await a.call('login');
    for (const n of [1, 2]) await a.call('send_event', { event: { type: 'message', text: `m${n}`, custom_id: `c${n}` } });
    await a.pushesUntil(5);
    const b = await t.connect();
    const login = await b.call('login', { token, last_seq: 1 });
    expect(login.recovered).toBe(false);
    expect((login.history as Array<{ payload: { seq: number } }>).map((p) => p.payload.seq)).toEqual([4, 5]);
  });
});

describe('bad frames', () => {
  it('answers each with a validation error and keeps the connection', async () => {
    t = await startServer(echoBot);
    const c = await t.connect();
    c.sendRaw('not json');
    await c.waitFor((f) => f.type === 'response' && f.success === false && f.request_id === '');
    const unknown = await c.request('fly', {});
    expect(unknown).toMatchObject({ success: false, action: 'fly', error: { type: 'validation', message: "unknown action 'fly'" } });
    c.sendRaw(Buffer.from([1, 2, 3]));
    await c.waitFor((f) => f.type === 'response' && (f.error as { message?: string } | undefined)?.message === 'binary frames are not supported');
    const wrongType = await c.request('login', { last_seq: 'x' });
    expect(wrongType).toMatchObject({ success: false, error: { type: 'validation', message: 'last_seq must be a non-negative integer' } });
    const early = await c.request('send_event', { event: { type: 'message', text: 'hi', custom_id: 'a' } });
    expect(early).toMatchObject({ success: false, error: { type: 'authentication', message: 'log in first' } });
    expect(await c.request('ping')).toMatchObject({ success: false, error: { type: 'authentication' } });
    const login = await c.request('login');
    expect(login.success).toBe(true);
    expect(await c.call('ping')).toEqual({});
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a connection that does not log in with 4001', async () => {
    t = await startServer(echoBot, { loginTimeoutMs: 50 });
    const c = await t.connect();
    expect(await c.waitClose()).toBe(4001);
  });

  it('refuses visitor messages over the rate limit with too_many_requests', async () => {
    t = await startServer({}, { messageRateLimit: { burst: 2, perSecond: 0.001 } });
    const c = await t.connect();
    await c.call('login');
    const send = (n: number) => c.request('send_event', { event: { type: 'message', text: 'x', custom_id: `c${n}` } });
    const results = [await send(1), await send(2), await send(3)];
    expect(results.map((r) => r.success)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ error: { type: 'too_many_requests' } });
  });
});
