import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../runtime/types';
import { openSqliteStore } from '../store/sqlite';
import { ORIGIN, startServer, type TestClient, type TestServer } from '../test/harness';
import { FANOUT_BATCH } from './api';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

const eventBot: Bot = {
  onEvent: (ctx, event, data) => ctx.say(`${event} ${JSON.stringify(data)}`),
};

async function setup(): Promise<{ client: TestClient; chatId: string }> {
  t = await startServer(eventBot, {
    endpoints: [
      { organization: 'acme', endpoint: 'acme-test', bot: eventBot, allowedOrigins: [ORIGIN], apiKey: 'key-one' },
      { organization: 'acme', endpoint: 'acme-two', bot: eventBot, allowedOrigins: [ORIGIN], apiKey: 'key-two' },
    ],
  });
  const client = await t.connect();
  const { chat_id: chatId } = await client.call('login');
  return { client, chatId: String(chatId) };
}

function api(path: string, init: { method?: string; body?: unknown; key?: string | null } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.key !== null) headers.Authorization = `Bearer ${init.key ?? 'key-one'}`;
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  return fetch(`${t.url}/api/v1${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
}

const answer = async (res: Response) => ({ status: res.status, body: res.status === 204 ? null : ((await res.json()) as unknown) });

describe('authentication', () => {
  it('answers 401 for a missing or wrong key', async () => {
    await setup();
    const missing = await api('/pushbacks/x', { key: null });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await answer(missing)).toEqual({
      status: 401,
      body: { error: { type: 'authentication', message: 'send Authorization: Bearer <apiKey>' } },
    });
    expect((await answer(await api('/pushbacks/x', { key: 'key-three' }))).status).toBe(401);
  });
});

describe('pushbacks', () => {
  it('creates, reads and deletes a pushback; a deleted one no longer activates', async () => {
    const { client, chatId } = await setup();
    const input = { channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'newNotification', eventData: { text: 'sale' } };
    const created = await answer(await api('/pushbacks', { body: input }));
    expect(created.status).toBe(201);
    const pushback = created.body as { id: string; link: string; created: string };
    expect(pushback).toEqual({ ...input, id: pushback.id, link: `${t.url}/pushgate/push_${pushback.id}`, created: pushback.created });
    expect(await answer(await api(`/pushbacks/${pushback.id}`))).toEqual({ status: 200, body: pushback });
    expect((await api(`/pushbacks/${pushback.id}`, { key: 'key-two' })).status).toBe(404);

    expect((await fetch(pushback.link)).status).toBe(202);
    await client.pushesUntil(1);
    expect(client.texts()).toEqual(['newNotification {"text":"sale"}']);

    expect(await answer(await api(`/pushbacks/${pushback.id}`, { method: 'DELETE' }))).toEqual({ status: 204, body: null });
    expect((await fetch(pushback.link)).status).toBe(404);
    expect((await api(`/pushbacks/${pushback.id}`)).status).toBe(404);
  });

  it('validates the five fields, the bot and the chat', async () => {
    const { chatId } = await setup();
    const input = { channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'e', eventData: {} };
    const { eventData: _omitted, ...withoutData } = input;
    expect(await answer(await api('/pushbacks', { body: withoutData }))).toEqual({
      status: 400,
      body: { error: { type: 'validation', message: 'eventData must be a JSON object' } },
    });
    expect((await answer(await api('/pushbacks', { body: { ...input, event: '' } }))).status).toBe(400);
    expect((await answer(await api('/pushbacks', { body: { ...input, channelType: 'sms' } }))).status).toBe(400);
    expect((await answer(await api('/pushbacks', { body: '[]' }))).status).toBe(400);
    expect(await answer(await api('/pushbacks', { body: { ...input, botId: 'acme-two' } }))).toEqual({
      status: 403,
      body: { error: { type: 'authentication', message: "this key may not manage bot 'acme-two'" } },
    });
    expect((await answer(await api('/pushbacks', { body: { ...input, chatId: 'nope' } }))).status).toBe(404);
    // A chat of another endpoint does not exist for this key.
    const other = { ...input, botId: 'acme-two' };
    expect((await answer(await api('/pushbacks', { body: other, key: 'key-two' }))).status).toBe(404);
    expect((await answer(await api('/pushbacks', { body: { ...input, eventData: { big: 'x'.repeat(1024 * 1024) } } }))).status).toBe(413);
    expect((await api('/pushbacks', { method: 'GET' })).status).toBe(405);
  });
});

describe('external events', () => {
  it('raises the event in the listed chats of the key’s endpoint only', async () => {
    const { client, chatId } = await setup();
    const res = await api('/events/orderShipped', { body: { users: [chatId, chatId, 'unknown'], data: { order: 7 } } });
    expect(await answer(res)).toEqual({ status: 202, body: { event: 'orderShipped', matched: 1 } });
    await client.pushesUntil(1);
    expect(client.texts()).toEqual(['orderShipped {"order":7}']);
    const foreign = await api('/events/orderShipped', { body: { users: [chatId] }, key: 'key-two' });
    expect(await answer(foreign)).toEqual({ status: 202, body: { event: 'orderShipped', matched: 0 } });
  });

  it('sends an event to everyone as incoming_multicast plus the bot’s answer, in batches', async () => {
    const { client } = await setup();
    const others = await Promise.all(Array.from({ length: 3 }, async () => (await t.connect()).call('login')));
    expect(FANOUT_BATCH).toBe(500);
    const res = await api('/events/sale', { body: { platform: 'any', users: 'everyone', data: { pct: 20 } } });
    expect(await answer(res)).toEqual({ status: 202, body: { event: 'sale', matched: 1 + others.length } });
    const pushes = await client.pushesUntil(2);
    expect(pushes[0]).toMatchObject({ action: 'incoming_multicast', payload: { seq: 1, type: 'sale', content: { pct: 20 } } });
    expect(client.texts()).toEqual(['sale {"pct":20}']);
    expect(await answer(await api('/events/sale', { body: { users: 'some' } }))).toEqual({
      status: 400,
      body: { error: { type: 'validation', message: "users must be an array of chat ids or 'everyone'" } },
    });
    expect((await api('/events/sale', { body: { users: [], platform: 'tg' } })).status).toBe(400);
  });
});

describe('fan-out to everyone', () => {
  it('pages through more open dialogs than one batch holds', async () => {
    await setup();
    // Dialogs written through a second connection to the same database file (WAL allows it).
    const store = openSqliteStore(t.dbPath, { synchronous: 'NORMAL' });
    const total = FANOUT_BATCH + 1;
    for (let i = 0; i < total; i += 1) {
      await store.createDialog({ id: `bulk-${String(i).padStart(5, '0')}`, endpoint: 'acme-test', organization: 'acme', context: {} });
    }
    await store.close();
    const res = await api('/events/ping', { body: { users: 'everyone' } });
    expect(await answer(res)).toEqual({ status: 202, body: { event: 'ping', matched: total + 1 } });
    await t.server.idle();
    const page = (await answer(await api('/chats/bulk-00500/events'))).body as { events: Array<{ action: string }> };
    expect(page.events.map((e) => e.action)).toEqual(['incoming_multicast', 'incoming_event']);
  });
});

describe('chat events', () => {
  it('pages through the stored outbound events after a seq', async () => {
    const { client, chatId } = await setup();
    for (const n of [1, 2, 3]) {
      await client.call('send_event', { event: { type: 'message', text: `m${n}`, custom_id: `c${n}` } });
    }
    const first = await answer(await api(`/chats/${chatId}/events?after=0&limit=2`));
    expect(first.status).toBe(200);
    const page = first.body as { chat_id: string; events: Array<{ payload: { seq: number } }>; next_after: number | null };
    expect(page.chat_id).toBe(chatId);
    expect(page.events.map((e) => e.payload.seq)).toEqual([1, 2]);
    expect(page.next_after).toBe(2);
    const second = (await answer(await api(`/chats/${chatId}/events?after=2&limit=2`))).body as typeof page;
    expect(second.events.map((e) => e.payload.seq)).toEqual([3]);
    expect(second.next_after).toBeNull();
    expect((await api(`/chats/${chatId}/events`, { key: 'key-two' })).status).toBe(404);
    expect((await api(`/chats/${chatId}/events?after=-1`)).status).toBe(400);
    expect((await api('/chats/nope/events')).status).toBe(404);
    expect((await api('/unknown')).status).toBe(404);
  });
});
