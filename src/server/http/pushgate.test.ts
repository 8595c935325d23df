import { afterEach, describe, expect, it } from 'vitest';
import type { Bot, Pushback } from '../runtime/types';
import { deferred, startServer, type TestServer, type TestClient } from '../test/harness';
import type { ServerOptions } from '../server';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

/** A bot that creates a pushback at start and says what each event brings. */
function subscriberBot(created: (pushback: Pushback) => void): Bot {
  return {
    async onStart(ctx) {
      created(await ctx.createPushback('newNotification', { text: 'Huge online sale today!' }));
    },
    async onEvent(ctx, event, eventData) {
      await ctx.say(`${event}: ${String(eventData.text)} (${ctx.request.rawRequest.eventData === eventData})`);
    },
  };
}

async function setup(options: Partial<ServerOptions> = {}): Promise<{ client: TestClient; pushback: Pushback }> {
  const created = deferred<Pushback>();
  t = await startServer(subscriberBot(created.resolve), options);
  const client = await t.connect();
  await client.call('login');
  return { client, pushback: await created.promise };
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });

describe('pushgate activation', () => {
  it('raises the event with the POSTed body, or the creation eventData for GET and an empty POST', async () => {
    const { client, pushback } = await setup();
    const res = await post(pushback.link, JSON.stringify({ text: '20% off' }));
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ id: pushback.id, event: 'newNotification', accepted: true });
    await client.pushesUntil(1);
    expect((await fetch(pushback.link)).status).toBe(202);
    await client.pushesUntil(2);
    expect((await post(pushback.link, '')).status).toBe(202);
    await client.pushesUntil(3);
    expect(client.texts()).toEqual([
      'newNotification: 20% off (true)',
      'newNotification: Huge online sale today! (true)',
      'newNotification: Huge online sale today! (true)',
    ]);
  });

  it('answers 400 for a body that is not JSON or not an object, 413 over 64 KiB, 404 for unknown ids', async () => {
    const { pushback } = await setup();
    const errorOf = async (res: Response) => ({ status: res.status, body: (await res.json()) as unknown });
    expect(await errorOf(await post(pushback.link, '{oops'))).toEqual({
      status: 400,
      body: { error: { type: 'validation', message: 'request body must be valid JSON' } },
    });
    expect(await errorOf(await post(pushback.link, '[1,2]'))).toEqual({
      status: 400,
      body: { error: { type: 'validation', message: 'request body must be a JSON object' } },
    });
    const big = JSON.stringify({ text: 'x'.repeat(70 * 1024) });
    expect(await errorOf(await post(pushback.link, big))).toEqual({
      status: 413,
      body: { error: { type: 'entity_too_large', message: 'request body must be at most 65536 bytes' } },
    });
    // The body is the event data as it is, up to 64 KiB counted in bytes of UTF-8 (not the
    // 16,384 UTF-16 code units of event data given in a field): 40,000 characters pass, while
    // 33,000 two-byte characters (66,011 bytes) do not.
    expect((await post(pushback.link, JSON.stringify({ text: 'x'.repeat(40_000) }))).status).toBe(202);
    expect((await post(pushback.link, JSON.stringify({ text: 'é'.repeat(33_000) }))).status).toBe(413);
    const unknown = await fetch(pushback.link.replace(pushback.id, '00000000-0000-4000-8000-000000000000'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(`${t.url}/pushgate/push_nonsense`)).status).toBe(404);
    const wrongMethod = await fetch(pushback.link, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST, OPTIONS');
  });

  it('answers a CORS preflight', async () => {
    const { pushback } = await setup();
    const res = await fetch(pushback.link, {
      method: 'OPTIONS',
      headers: { Origin: 'https://mailer.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type, Idempotency-Key');
  });

  it('limits the rate per pushback id with 429 and Retry-After', async () => {
    const { pushback } = await setup({ pushgateRateLimit: { burst: 2, perSecond: 0.5 } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await fetch(pushback.link)).status);
    expect(statuses).toEqual([202, 202, 429]);
    const limited = await fetch(pushback.link);
    // 2 activations per window of 2 / 0.5 = 4 s: wait for the window to end.
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(4);
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(await limited.json()).toEqual({
      error: { type: 'too_many_requests', message: 'too many activations of this pushback' },
    });
  });

  it('reaches a visitor who was offline when it was activated', async () => {
    const { client, pushback } = await setup();
    const login = client.frames.find((f) => f.action === 'login')?.payload as { token: string };
    client.ws.close();
    expect((await post(pushback.link, JSON.stringify({ text: 'while away' }))).status).toBe(202);
    await t.server.idle();
    const back = await t.connect();
    await back.call('login', { token: login.token, last_seq: 0 });
    await back.pushesUntil(1);
    expect(back.texts()).toEqual(['newNotification: while away (true)']);
  });
});
