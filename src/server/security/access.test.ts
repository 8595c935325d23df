/**
 * Access: who may open, resume and manage what. Resume is authenticated by the token before any
 * data flows; tokens rotate; the management API is not usable from other origins' pages.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../runtime/types';
import { openSqliteStore } from '../store/sqlite';
import { startServer, type TestClient, type TestServer } from '../test/harness';
import { DAY_MS, TokenSigner } from '../token';
import { formatRequest, rawExchange } from '../fuzz/raw-http';

const echoBot: Bot = {
  onStart: (ctx) => ctx.say('hello'),
  onMessage: (ctx, text) => ctx.say(`echo ${text}`),
};

let t: TestServer;
afterEach(async () => {
  await t.close();
});

const message = (client: TestClient, text: string, id: string) => client.call('send_event', { event: { type: 'message', text, custom_id: id } });

describe('resuming a chat', () => {
  it("never gives another visitor's chatId without its token anything of that chat", async () => {
    t = await startServer(echoBot);
    const victim = await t.connect();
    const { chat_id: chatId, token } = await victim.call('login');
    await message(victim, 'my secret order', 'v1');
    await victim.pushesUntil(3);
    const [, issuedAt, mac] = String(token).split('.');
    const attempts = [
      String(chatId),
      `${String(chatId)}.`,
      `${String(chatId)}.${issuedAt}`,
      `${String(chatId)}.${mac}`,
      `${String(chatId)}.${issuedAt}.${'A'.repeat(43)}`,
      `${String(chatId)}.${Number(issuedAt) + 1}.${mac}`,
      new TokenSigner(Buffer.from('another-servers-secret')).sign(String(chatId)),
    ];
    const attackers: TestClient[] = [];
    for (const attempt of attempts) {
      const attacker = await t.connect();
      const login = await attacker.call('login', { token: attempt, last_seq: 0, history: true });
      expect(login).toMatchObject({ resumed: false, last_seq: 0, history: [] });
      expect(login.chat_id).not.toBe(chatId);
      attackers.push(attacker);
    }
    // The victim's chat goes on; none of it reaches the attackers.
    await message(victim, 'more', 'v2');
    await victim.pushesUntil(5);
    for (const attacker of attackers) {
      await attacker.pushesUntil(1); // their own greeting
      expect(attacker.frames.some((f) => JSON.stringify(f).includes(String(chatId)))).toBe(false);
      expect(attacker.texts()).toEqual(['hello']);
    }
  });

  it('refuses a token older than tokenMaxAgeDays; a fresh login renews the token', async () => {
    t = await startServer(echoBot, { tokenMaxAgeDays: 10 });
    const first = await t.connect();
    const { chat_id: chatId } = await first.call('login');
    const signer = new TokenSigner(Buffer.from('test-secret'));
    const tooOld = signer.sign(String(chatId), Date.now() - 10 * DAY_MS - 60_000);
    const oldEnough = signer.sign(String(chatId), Date.now() - 10 * DAY_MS + 60_000);
    expect((await (await t.connect()).call('login', { token: tooOld })).resumed).toBe(false);
    const resumed = await (await t.connect()).call('login', { token: oldEnough });
    expect(resumed).toMatchObject({ chat_id: chatId, resumed: true });
    expect(new TokenSigner(Buffer.from('test-secret')).verify(String(resumed.token))?.issuedAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('accepts a pre-v1 token (chatId.mac) of a young chat and hands out a v1 token', async () => {
    t = await startServer(echoBot);
    const { chat_id: chatId } = await (await t.connect()).call('login');
    const legacy = `${String(chatId)}.${createHmac('sha256', 'test-secret').update(String(chatId)).digest('base64url')}`;
    const login = await (await t.connect()).call('login', { token: legacy });
    expect(login).toMatchObject({ chat_id: chatId, resumed: true });
    expect(String(login.token).split('.')).toHaveLength(3);
  });
});

describe('secret rotation', () => {
  it('resumes tokens of a previous secret and hands out tokens of the current one', async () => {
    t = await startServer(echoBot, { secret: 'old-secret-0123456789' });
    const { dir } = t;
    const { token: oldToken, chat_id: chatId } = await (await t.connect()).call('login');
    await t.close(true);

    t = await startServer(echoBot, { dir, secret: 'new-secret-0123456789', previousSecrets: ['old-secret-0123456789'] });
    const rotated = await (await t.connect()).call('login', { token: oldToken });
    expect(rotated).toMatchObject({ chat_id: chatId, resumed: true });
    await t.close(true);

    // Once the old secret is dropped, the renewed token still works and the old one does not.
    t = await startServer(echoBot, { dir, secret: 'new-secret-0123456789' });
    expect(await (await t.connect()).call('login', { token: rotated.token })).toMatchObject({ chat_id: chatId, resumed: true });
    expect((await (await t.connect()).call('login', { token: oldToken })).resumed).toBe(false);
  });

  it('keeps a generated secret in the database, and rotates it as docs/security.md says', async () => {
    t = await startServer(echoBot, { secret: undefined });
    const { dir, dbPath } = t;
    const { token, chat_id: chatId } = await (await t.connect()).call('login');
    await t.close(true);
    t = await startServer(echoBot, { dir, secret: undefined });
    expect(await (await t.connect()).call('login', { token })).toMatchObject({ chat_id: chatId, resumed: true });
    await t.close(true);
    // The procedure: read the stored secret, pass it as a previous one next to a new secret.
    const store = openSqliteStore(dbPath);
    const stored = await store.getMeta('token_secret');
    await store.close();
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    t = await startServer(echoBot, { dir, secret: 'a-new-secret-0123456789', previousSecrets: [String(stored)] });
    expect(await (await t.connect()).call('login', { token })).toMatchObject({ chat_id: chatId, resumed: true });
  });
});

describe('websocket handshake', () => {
  const upgrade = (port: number, headers: Array<[string, string]>) =>
    rawExchange(port, formatRequest(port, { method: 'GET', path: '/ws?organization=acme&endpoint=acme-test', headers, body: '' }), false);
  const base: Array<[string, string]> = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ];

  it('refuses version 8 (it carries Sec-WebSocket-Origin, not Origin), subprotocols and bad keys with JSON errors', async () => {
    t = await startServer(echoBot);
    const port = Number(new URL(t.url).port);
    const v8 = await upgrade(port, [...base, ['Sec-WebSocket-Version', '8'], ['Sec-WebSocket-Origin', 'https://evil.example']]);
    expect([v8.status, JSON.parse(v8.body)]).toEqual([400, { error: { type: 'validation', message: 'Sec-WebSocket-Version must be 13' } }]);
    const proto = await upgrade(port, [...base, ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Protocol', 'chat']]);
    expect([proto.status, JSON.parse(proto.body)]).toEqual([400, { error: { type: 'validation', message: 'no websocket subprotocol is offered' } }]);
    const key = await upgrade(port, [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'short'], ['Sec-WebSocket-Version', '13']]);
    expect([key.status, JSON.parse(key.body)]).toEqual([400, { error: { type: 'validation', message: 'missing or invalid Sec-WebSocket-Key' } }]);
  });
});

describe('pushback ids', () => {
  it('are random UUID v4 (122 random bits), from the API and from bots', async () => {
    const ids: string[] = [];
    const bot: Bot = {
      async onStart(ctx) {
        for (let i = 0; i < 20; i += 1) ids.push((await ctx.createPushback('e', {})).id);
      },
    };
    t = await startServer(bot);
    const { chat_id: chatId } = await (await t.connect()).call('login');
    for (let i = 0; i < 20; i += 1) {
      const res = await fetch(`${t.url}/api/v1/pushbacks`, {
        method: 'POST',
        headers: { Authorization: 'Bearer test-key-acme' },
        body: JSON.stringify({ channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'e', eventData: {} }),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    await t.server.idle();
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('management API and browsers', () => {
  const call = (path: string, init: RequestInit & { origin?: string } = {}) =>
    fetch(`${t.url}/api/v1${path}`, {
      ...init,
      headers: { Authorization: 'Bearer test-key-acme', ...(init.origin ? { Origin: init.origin } : {}), ...(init.headers as Record<string, string>) },
    });
  const corsHeaders = (res: Response) => [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));

  it('refuses requests from another origin with 403 and never grants CORS', async () => {
    t = await startServer(echoBot);
    const { chat_id: chatId } = await (await t.connect()).call('login');
    for (const origin of ['https://evil.example', 'null', 'https://shop.example']) {
      const res = await call(`/chats/${String(chatId)}/events`, { origin });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('authentication');
      expect(corsHeaders(res)).toEqual([]);
    }
    const preflight = await call('/pushbacks', {
      method: 'OPTIONS',
      origin: 'https://evil.example',
      headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(403);
    expect(corsHeaders(preflight)).toEqual([]);
    const own = await call(`/chats/${String(chatId)}/events`, { origin: new URL(t.url).origin });
    expect(own.status).toBe(200);
    expect(corsHeaders(own)).toEqual([]);
    // The server's own page reached under another name (Host says which origin the page has).
    const port = Number(new URL(t.url).port);
    const headers: Array<[string, string]> = [['Host', `localhost:${port}`], ['Origin', `http://localhost:${port}`], ['Authorization', 'Bearer test-key-acme']];
    const renamed = await rawExchange(port, formatRequest(port, { method: 'GET', path: `/api/v1/chats/${String(chatId)}/events`, headers, body: '' }), false);
    expect(renamed.status).toBe(200);
    const server = await call(`/chats/${String(chatId)}/events`);
    expect(server.status).toBe(200);
  });

  it('refuses near-miss keys: a prefix, a suffix, another case', async () => {
    t = await startServer(echoBot);
    for (const key of ['test-key-acm', 'test-key-acmee', 'TEST-KEY-ACME', '']) {
      const res = await fetch(`${t.url}/api/v1/pushbacks/x`, { headers: { Authorization: `Bearer ${key}` } });
      expect(res.status).toBe(401);
    }
  });

  it('lets the pushgate be called from any origin', async () => {
    t = await startServer(echoBot);
    const res = await fetch(`${t.url}/pushgate/push_00000000-0000-4000-8000-000000000000`, { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${t.url}/pushgate/push_00000000-0000-4000-8000-000000000000`, { method: 'OPTIONS' });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
  });
});
