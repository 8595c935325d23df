/**
 * Limits and abuse: size limits at every edge, the per-client rate limit shared by the HTTP
 * routes and websocket upgrades, per-client connection caps, per-connection request rates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Limits } from '../../protocol';
import type { Bot } from '../runtime/types';
import { ORIGIN, TestClient, startServer, type TestServer } from '../test/harness';

const bot: Bot = { onEvent: (ctx, event) => ctx.say(`event ${event}`) };

let t: TestServer;
afterEach(async () => {
  await t.close();
});

/** The status (and Retry-After) an upgrade was refused with. */
function refusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Origin: ORIGIN, ...headers } });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => {});
  });
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Origin: ORIGIN, ...headers } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function pushbackLink(client: TestClient): Promise<string> {
  const { chat_id: chatId } = await client.call('login');
  const res = await fetch(`${t.url}/api/v1/pushbacks`, {
    method: 'POST',
    headers: { Authorization: 'Bearer test-key-acme' },
    body: JSON.stringify({ channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'e', eventData: {} }),
  });
  return ((await res.json()) as { link: string }).link;
}

describe('size limits', () => {
  it('takes pushgate bodies up to 64 KiB and answers 413 above', async () => {
    t = await startServer(bot);
    const link = await pushbackLink(await t.connect());
    const body = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - 10) });
    expect(Buffer.byteLength(body(64 * 1024))).toBe(64 * 1024);
    expect((await fetch(link, { method: 'POST', body: body(64 * 1024) })).status).toBe(202);
    const over = await fetch(link, { method: 'POST', body: body(64 * 1024 + 1) });
    expect([over.status, await over.json()]).toEqual([413, { error: { type: 'entity_too_large', message: 'request body must be at most 65536 bytes' } }]);
  });

  it('answers 413 to management bodies over 1 MiB and 400 to bodies nested too deep', async () => {
    t = await startServer(bot);
    const post = (body: string) => fetch(`${t.url}/api/v1/pushbacks`, { method: 'POST', headers: { Authorization: 'Bearer test-key-acme' }, body });
    const big = await post(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect([big.status, ((await big.json()) as { error: { type: string } }).error.type]).toEqual([413, 'entity_too_large']);
    const deep = await post(`{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
    expect([deep.status, await deep.json()]).toEqual([400, { error: { type: 'validation', message: 'request body must nest at most 32 levels deep' } }]);
  });

  it('refuses over-long text, postbacks, contexts and nesting with error frames, and frames over 64 KiB with 1009', async () => {
    t = await startServer(bot);
    const c = await t.connect();
    await c.call('login');
    const refused = async (action: string, payload: Record<string, unknown>) => {
      const response = await c.request(action, payload);
      expect(response.success).toBe(false);
      return (response.error as { type: string; message: string });
    };
    const text = (n: number) => ({ event: { type: 'message', text: 'x'.repeat(n), custom_id: `t${n}` } });
    expect((await c.request('send_event', text(Limits.textChars))).success).toBe(true);
    expect(await refused('send_event', text(Limits.textChars + 1))).toEqual({ type: 'validation', message: 'event.text must be at most 4000 characters' });
    const postback = { event_id: 'e', postback: { id: 'y'.repeat(Limits.quickReplyChars + 1), toggled: true }, custom_id: 'p' };
    expect(await refused('send_rich_message_postback', postback)).toEqual({ type: 'validation', message: 'postback.id must be at most 200 characters' });
    expect(await refused('update_context', { context: { big: 'x'.repeat(Limits.contextChars) } })).toEqual({
      type: 'validation',
      message: 'context must serialise to at most 16384 characters',
    });
    const deep = JSON.parse(`${'{"a":'.repeat(Limits.jsonDepth)}1${'}'.repeat(Limits.jsonDepth)}`) as Record<string, unknown>;
    expect((await c.request('update_context', { context: deep })).success).toBe(true);
    expect(await refused('page_event', { alias: 'a', custom_id: 'd', body: { deep } })).toEqual({
      type: 'validation',
      message: 'body must be plain JSON nested at most 32 levels deep',
    });
    c.sendRaw(' '.repeat(Limits.frameBytes)); // exactly the limit: answered, connection kept
    await c.waitFor((f) => f.type === 'response' && (f.error as { message?: string } | undefined)?.message === 'frame is not valid JSON');
    c.sendRaw(' '.repeat(Limits.frameBytes + 1));
    expect(await c.waitClose()).toBe(1009);
  });
});

describe('per-client rate limit', () => {
  it('is shared by /pushgate, /api/v1 and upgrades, answers 429 with Retry-After, and leaves /healthz alone', async () => {
    t = await startServer(bot, { httpRateLimit: { burst: 3, perSecond: 0.01 } });
    const gate = `${t.url}/pushgate/push_00000000-0000-4000-8000-000000000000`;
    expect((await fetch(gate)).status).toBe(404);
    expect((await fetch(`${t.url}/api/v1/pushbacks/x`)).status).toBe(401);
    expect((await (await t.connect()).request('ping')).success).toBe(false); // the upgrade took the third token
    const limited = await fetch(gate);
    // 3 requests per window of 3 / 0.01 = 300 s: the client waits for the window to end.
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect([limited.status, await limited.json()]).toEqual([429, { error: { type: 'too_many_requests', message: 'too many requests from this address' } }]);
    expect(retryAfter).toBeGreaterThan(290);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // A browser page calling the pushgate can read the refusal and its Retry-After.
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(limited.headers.get('access-control-expose-headers')).toContain('Retry-After');
    expect((await fetch(`${t.url}/api/v1/pushbacks/x`)).status).toBe(429);
    expect((await refusal(t.wsUrl())).status).toBe(429);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    // Refused requests are counted under their route, not as unmatched.
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('roundel_http_requests_total{route="/pushgate/push_{id}",status="429"} 1');
    expect(metrics).toContain('roundel_http_requests_total{route="/api/v1/pushbacks/{id}",status="429"} 1');
    expect(metrics).not.toContain('route="unmatched"');
  });

  it('counts each client behind a trusted proxy by its X-Forwarded-For address', async () => {
    t = await startServer(bot, { httpRateLimit: { burst: 1, perSecond: 0.01 }, trustedProxies: ['127.0.0.1'] });
    const get = (client: string) => fetch(`${t.url}/api/v1/pushbacks/x`, { headers: { 'X-Forwarded-For': `203.0.113.9, ${client}` } });
    expect((await get('198.51.100.1')).status).toBe(401);
    expect((await get('198.51.100.1')).status).toBe(429);
    expect((await get('198.51.100.2')).status).toBe(401);
    // Two addresses of one IPv6 /64 are one client.
    expect((await get('2001:db8:1:2::a')).status).toBe(401);
    expect((await get('2001:db8:1:2::b')).status).toBe(429);
  });
});

describe('connection caps', () => {
  it('refuses a client past maxConnectionsPerIp with 429 before the upgrade, others still connect', async () => {
    t = await startServer(bot, { maxConnectionsPerIp: 2, trustedProxies: ['127.0.0.1'] });
    const sockets = [await open(t.wsUrl()), await open(t.wsUrl())];
    expect(await refusal(t.wsUrl())).toEqual({ status: 429, retryAfter: '5' });
    sockets.push(await open(t.wsUrl(), { 'X-Forwarded-For': '198.51.100.7' }));
    const closed = new Promise((resolve) => sockets[0]?.once('close', resolve));
    sockets[0]?.close();
    await closed;
    // The slot comes back when the TCP socket is gone; that may trail the close event by a moment.
    let again: WebSocket | undefined;
    for (let attempt = 0; again === undefined && attempt < 50; attempt += 1) again = await open(t.wsUrl()).catch(() => undefined);
    expect(again?.readyState).toBe(WebSocket.OPEN);
    for (const ws of [...sockets, again]) ws?.terminate();
  });
});

describe('per-connection request rate', () => {
  it('refuses logins and context updates past a burst of 10 with too_many_requests', async () => {
    t = await startServer(bot);
    const c = await TestClient.open(t.wsUrl(), ORIGIN);
    const results = [];
    for (let i = 0; i < 12; i += 1) results.push(await c.request('login'));
    expect(results.map((r) => r.success)).toEqual([...new Array<boolean>(10).fill(true), false, false]);
    expect(results[10]?.error).toEqual({ type: 'too_many_requests', message: 'slow down' });
    expect(await c.call('ping')).toEqual({});
    c.ws.terminate();
  });
});
