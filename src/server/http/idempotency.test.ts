/** `Idempotency-Key` on the three POST routes: a repeat within 24 h gets the first answer and raises nothing new. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../runtime/types';
import { IDEMPOTENCY_STALE_MS } from '../store/idempotency-types';
import { openSqliteStore } from '../store/sqlite';
import { ENDPOINT_A, KEY_B, countRows, seedChats, startApiServer, type ApiServer } from '../test/api';

let t: ApiServer;
afterEach(async () => {
  await t.close();
});

const bot: Bot = { onEvent: (ctx, event, data) => ctx.say(`${event} ${JSON.stringify(data)}`) };
const CHAT = 'chat-a-0001';
const INPUT = { channelType: 'chatwidget', botId: ENDPOINT_A, chatId: CHAT, event: 'offer', eventData: { text: 'sale' } };

const texts = async (chatId: string): Promise<string[]> => {
  await t.server.idle();
  const page = (await t.call(`/api/v1/chats/${chatId}/events`)).body as { events: Array<{ action: string; payload: { event?: { text: string } } }> };
  return page.events.flatMap((e) => (e.action === 'incoming_event' && e.payload.event ? [e.payload.event.text] : []));
};

async function setup(options: { dir?: string } = {}): Promise<void> {
  t = await startApiServer(bot, options);
  seedChats(t.dbPath, [{ id: CHAT }, { id: 'chat-a-0002' }]);
}

async function activate(link: string, key: string | undefined, body: string) {
  const res = await fetch(link, { method: 'POST', body, headers: key === undefined ? {} : { 'Idempotency-Key': key } });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as unknown };
}

describe('Idempotency-Key', () => {
  it('on the pushgate: a retried activation is answered again and shows once, also after a restart', async () => {
    await setup();
    const pushback = (await t.call('/api/v1/pushbacks', { body: INPUT })).body as { id: string; link: string };
    const first = await activate(pushback.link, 'mail-7', '{"text":"once"}');
    expect(first).toEqual({ status: 202, replayed: null, body: { id: pushback.id, event: 'offer', accepted: true } });
    // Even with another body: the first answer, nothing raised.
    expect(await activate(pushback.link, 'mail-7', '{"text":"twice"}')).toEqual({ ...first, replayed: 'true' });
    expect(await texts(CHAT)).toEqual(['offer {"text":"once"}']);

    const dir = t.dir;
    await t.close(true);
    t = await startApiServer(bot, { dir });
    const link = `${t.url}/pushgate/push_${pushback.id}`; // a new port
    expect(await activate(link, 'mail-7', '{"text":"after restart"}')).toEqual({ ...first, replayed: 'true' });
    // Another key, or none, raises again.
    expect((await activate(link, 'mail-8', '{"text":"new key"}')).replayed).toBeNull();
    expect((await activate(link, undefined, '{"text":"no key"}')).replayed).toBeNull();
    expect(await texts(CHAT)).toEqual(['offer {"text":"once"}', 'offer {"text":"new key"}', 'offer {"text":"no key"}']);
  });

  it('on the pushgate: a retry after the server died between storing and answering is answered at once and stores nothing new', async () => {
    await setup();
    const pushback = (await t.call('/api/v1/pushbacks', { body: INPUT })).body as { id: string };
    const { dir, dbPath } = t;
    await t.close(true);
    // What the dead process left: the key's claim, and the activation it stored under that key.
    const store = openSqliteStore(dbPath);
    expect(await store.idempotency.claim(`pushgate:${pushback.id}`, 'k-died', new Date(), IDEMPOTENCY_STALE_MS)).toEqual({ status: 'claimed' });
    const eventData = { text: 'stored, never answered' };
    const input = { kind: 'pushback' as const, pushbackId: pushback.id, event: 'offer', eventData, customId: `pushgate:${pushback.id}:k-died` };
    expect((await store.acceptInbound({ chatId: CHAT, input })).status).toBe('accepted');
    await store.close();

    t = await startApiServer(bot, { dir });
    const retry = await activate(`${t.url}/pushgate/push_${pushback.id}`, 'k-died', '{"text":"the retry"}');
    expect(retry).toEqual({ status: 202, replayed: null, body: { id: pushback.id, event: 'offer', accepted: true } });
    expect(await texts(CHAT)).toEqual(['offer {"text":"stored, never answered"}']);
  });

  it('does not keep a failed request: its retry does the work', async () => {
    await setup();
    const pushback = (await t.call('/api/v1/pushbacks', { body: INPUT })).body as { link: string };
    expect((await activate(pushback.link, 'k1', 'not json')).status).toBe(400);
    expect(await activate(pushback.link, 'k1', '{"text":"fixed"}')).toMatchObject({ status: 202, replayed: null });
    expect(await texts(CHAT)).toEqual(['offer {"text":"fixed"}']);
  });

  it('on POST /api/v1/pushbacks: the same pushback (201, Location) once per API key', async () => {
    await setup();
    const headers = { 'Idempotency-Key': 'create-1' };
    const first = await t.call('/api/v1/pushbacks', { body: INPUT, headers });
    const again = await t.call('/api/v1/pushbacks', { body: { ...INPUT, event: 'other' }, headers });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, body: first.body });
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM pushbacks')).toBe(1);
  });

  it('on POST /api/v1/events/{event}: stored once; keys are per API key and per event', async () => {
    await setup();
    seedChats(t.dbPath, [{ id: 'chat-b-0001', endpoint: 'globex-test' }]);
    const send = (name: string, key?: string) =>
      t.call(`/api/v1/events/${name}`, { body: { users: 'everyone', data: { n: 1 } }, headers: { 'Idempotency-Key': 'batch-42' }, key });
    expect(await send('sale')).toMatchObject({ status: 202, body: { event: 'sale', matched: 2 } });
    expect(await send('sale')).toMatchObject({ status: 202, body: { event: 'sale', matched: 2 } });
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM inbox WHERE kind = 'event'`)).toBe(2);
    // The same key string under another event name or another API key is another request.
    expect(await send('restock')).toMatchObject({ status: 202, body: { matched: 2 } });
    expect(await send('sale', KEY_B)).toMatchObject({ status: 202, body: { matched: 1 } });
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM inbox WHERE kind = 'event'`)).toBe(5);
    expect(await texts(CHAT)).toEqual(['sale {"n":1}', 'restock {"n":1}']);
  });

  it('must be 1-200 printable ASCII characters (400 naming the header, nothing raised)', async () => {
    await setup();
    const pushback = (await t.call('/api/v1/pushbacks', { body: INPUT })).body as { link: string };
    const message = 'Idempotency-Key must be 1-200 printable ASCII characters';
    for (const key of ['', 'x'.repeat(201), 'caf\u00e9']) {
      const res = await activate(pushback.link, key, '{}');
      expect(res, JSON.stringify(key)).toEqual({ status: 400, replayed: null, body: { error: { type: 'validation', message } } });
      const created = await t.call('/api/v1/pushbacks', { body: INPUT, headers: { 'Idempotency-Key': key } });
      expect(created).toMatchObject({ status: 400, body: { error: { message } } });
    }
    expect(await activate(pushback.link, 'x'.repeat(200), '{}')).toMatchObject({ status: 202 });
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM pushbacks')).toBe(1);
  });
});
