import { afterEach, describe, expect, it } from 'vitest';
import type { StoredPush } from '../../protocol';
import type { Bot } from '../runtime/types';
import { ENDPOINT_B, countRows, seedChats, startApiServer, type ApiServer } from '../test/api';
import { FANOUT_BATCH } from './api';

let t: ApiServer;
afterEach(async () => {
  await t.close();
});

const bot: Bot = {
  onEvent: (ctx, event, data) => ctx.say(`${event} ${JSON.stringify(data)} ${ctx.request.type}`),
};

interface Page {
  chat_id: string;
  events: StoredPush[];
  next_after: number | null;
}

/** The chat's stored pushes once every bot run is done, as `action text|content`. */
async function transcript(chatId: string): Promise<string[]> {
  await t.server.idle();
  const page = (await t.call(`/api/v1/chats/${chatId}/events`)).body as Page;
  return page.events.map((push) => {
    if (push.action === 'incoming_event') return `${push.action} ${push.payload.event.text}`;
    if (push.action === 'incoming_multicast') return `${push.action} ${push.payload.type} ${JSON.stringify(push.payload.content)}`;
    return push.action;
  });
}

const event = (name: string, body: unknown, key?: string) => t.call(`/api/v1/events/${name}`, { body, key });

describe('POST /api/v1/events/{event} to listed users', () => {
  it('raises the event in each listed chat of the key’s endpoint, online or not, between threads too', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1' }, { id: 'c2' }, { id: 'c3' }, { id: 'idle', closed: true }]);
    const res = await event('orderShipped', { platform: 'chatwidget', users: ['c1', 'c2', 'c1', 'unknown', 'idle'], data: { order: 7 } });
    expect(res).toMatchObject({ status: 202, body: { event: 'orderShipped', matched: 3 } });
    for (const id of ['c1', 'c2', 'idle']) expect(await transcript(id)).toEqual(['incoming_event orderShipped {"order":7} event']);
    expect(await transcript('c3')).toEqual([]);
  });

  it('reaches a visitor who is online over the websocket', async () => {
    t = await startApiServer(bot);
    const client = await t.connect();
    const { chat_id: chatId } = await client.call('login');
    await t.server.idle();
    expect(await event('orderShipped', { users: [chatId], data: { order: 8 } })).toMatchObject({ status: 202, body: { matched: 1 } });
    await client.waitFor((f) => f.type === 'push' && f.action === 'incoming_event');
    expect(client.texts()).toEqual(['orderShipped {"order":8} event']);
  });

  it('treats an empty list as nothing to do', async () => {
    t = await startApiServer(bot);
    expect(await event('noop', { users: [] })).toMatchObject({ status: 202, body: { event: 'noop', matched: 0 } });
  });
});

describe('POST /api/v1/events/{event} with Botmother addressing', () => {
  it('reaches verified visitors by user id, chats by id in users or users_bm, each chat once', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1', userId: 'crm-41' }, { id: 'c2' }, { id: 'c3' }, { id: 'c4', userId: 'crm-44' }]);
    const res = await event('orderShipped', {
      users: ['crm-41', 'c2', 'crm-unknown'],
      users_bm: ['c2', 'c3', 'c1', 'nope'],
      data: { order: 9 },
    });
    expect(res).toMatchObject({ status: 202, body: { event: 'orderShipped', matched: 3 } });
    for (const id of ['c1', 'c2', 'c3']) expect(await transcript(id)).toEqual(['incoming_event orderShipped {"order":9} event']);
    expect(await transcript('c4')).toEqual([]);
    // users_bm alone; a user id is not a chat id there.
    expect(await event('ping', { users_bm: ['c4', 'crm-41'] })).toMatchObject({ status: 202, body: { matched: 1 } });
    expect(await transcript('c4')).toEqual(['incoming_event ping {} event']);
  });

  it('refuses a users_bm naming another endpoint’s chat (403), nothing stored', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1' }, { id: 'theirs', endpoint: ENDPOINT_B }]);
    expect(await event('x', { users_bm: ['c1', 'theirs'] })).toMatchObject({ status: 403 });
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM inbox WHERE kind = 'event'`)).toBe(0);
  });

  it('keeps each external event’s data as the chat’s ctx.lastRequest (persisted; pushbacks leave it)', async () => {
    const seen: Array<[string, unknown]> = [];
    t = await startApiServer({
      onEvent(ctx, name) {
        seen.push([name, ctx.lastRequest]);
      },
      onMessage(ctx, text) {
        seen.push([text, ctx.lastRequest]);
      },
    });
    const client = await t.connect();
    const { chat_id: chatId } = await client.call('login');
    await t.server.idle();
    expect(await event('first', { users: [chatId], data: { order: 1 } })).toMatchObject({ status: 202 });
    await t.server.idle();
    const pushback = await t.call('/api/v1/pushbacks', {
      body: { channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'fired', eventData: { via: 'pushgate' } },
    });
    expect((await fetch(`${t.url}/pushgate/push_${(pushback.body as { id: string }).id}`, { method: 'POST' })).status).toBe(202);
    await t.server.idle();
    await client.call('send_event', { event: { type: 'message', text: 'hi', custom_id: 'm1' } });
    await t.server.idle();
    expect(await event('second', { users: 'everyone', data: { order: 2 } })).toMatchObject({ status: 202 });
    await t.server.idle();
    expect(seen).toEqual([
      ['first', { order: 1 }],
      ['fired', { order: 1 }],
      ['hi', { order: 1 }],
      ['second', { order: 2 }],
    ]);
  });
});

describe('POST /api/v1/events/{event} to everyone', () => {
  it('stores incoming_multicast and runs the bot in every chat of the endpoint only', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1' }, { id: 'c2' }, { id: 'idle', closed: true }, { id: 'other', endpoint: ENDPOINT_B }]);
    const res = await event('sale', { platform: 'any', users: 'everyone', data: { pct: 20 } });
    expect(res).toMatchObject({ status: 202, body: { event: 'sale', matched: 3 } });
    for (const id of ['c1', 'c2', 'idle']) {
      expect(await transcript(id)).toEqual(['incoming_multicast sale {"pct":20}', 'incoming_event sale {"pct":20} event']);
    }
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM inbox WHERE chat_id = 'other'`)).toBe(0);
  });

  it('pages through more chats than one batch holds, data defaulting to {}, the bot turns after every batch', async () => {
    t = await startApiServer(bot);
    const total = 10 * FANOUT_BATCH + 1;
    seedChats(t.dbPath, Array.from({ length: total }, (_, i) => ({ id: `bulk-${String(i).padStart(5, '0')}` })));
    expect(await event('ping', { users: 'everyone' })).toMatchObject({ status: 202, body: { event: 'ping', matched: total } });
    expect(countRows(t.dbPath, `SELECT COUNT(DISTINCT chat_id) AS n FROM inbox WHERE kind = 'event'`)).toBe(total);
    expect(await transcript(`bulk-${String(total - 1).padStart(5, '0')}`)).toEqual(['incoming_multicast ping {}', 'incoming_event ping {} event']);
    // Every chat's multicast was stored (and published) before the first bot turn ran.
    const lastMulticast = countRows(t.dbPath, `SELECT MAX(rowid) AS n FROM events WHERE action = 'incoming_multicast'`);
    const firstReply = countRows(t.dbPath, `SELECT MIN(rowid) AS n FROM events WHERE action = 'incoming_event'`);
    expect(lastMulticast).toBeLessThan(firstReply);
  });
});

describe('POST /api/v1/events/{event} errors', () => {
  it('validates users, platform and data (400 naming the field), nothing stored', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1' }]);
    const cases: Array<[unknown, string]> = [
      [{}, "users or users_bm is required: user ids or chat ids, or 'everyone'"],
      [{ data: {} }, "users or users_bm is required: user ids or chat ids, or 'everyone'"],
      [{ users: 'some' }, "users must be an array of at most 10000 user ids or chat ids or 'everyone'"],
      [{ users: null }, "users must be an array of at most 10000 user ids or chat ids or 'everyone'"],
      [{ users: ['c1', 7] }, 'users[1] must be a non-empty string of at most 200 characters'],
      [{ users: ['c1', ''] }, 'users[1] must be a non-empty string of at most 200 characters'],
      [{ users: Array.from({ length: 10_001 }, (_, i) => `u${i}`) }, "users must be an array of at most 10000 user ids or chat ids or 'everyone'"],
      [{ users_bm: 'everyone' }, 'users_bm must be an array of at most 10000 chat ids'],
      [{ users_bm: [null] }, 'users_bm[0] must be a non-empty string of at most 200 characters'],
      [{ users: ['c1'], users_bm: Array.from({ length: 10_001 }, (_, i) => `c${i}`) }, 'users_bm must be an array of at most 10000 chat ids'],
      [{ users: 'everyone', platform: 'tg' }, "platform must be 'chatwidget' or 'any'"],
      [{ users: 'everyone', platform: null }, "platform must be 'chatwidget' or 'any'"],
      [{ users: 'everyone', data: null }, 'data must be a JSON object'],
      [{ users: 'everyone', data: 'hello' }, 'data must be a JSON object'],
      [{ users: 'everyone', data: { text: 'x'.repeat(16 * 1024) } }, 'data must serialise to at most 16384 characters'],
      ['[]', 'request body must be a JSON object'],
    ];
    for (const [body, message] of cases) {
      expect(await event('sale', body), message).toMatchObject({ status: 400, body: { error: { type: 'validation', message } } });
    }
    expect(await event('x'.repeat(201), { users: 'everyone' })).toMatchObject({
      status: 400,
      body: { error: { type: 'validation', message: 'a path parameter must be at most 200 characters' } },
    });
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM inbox')).toBe(0);
  });

  it('answers 413 over 1 MiB and 405 for other methods', async () => {
    t = await startApiServer(bot);
    const users = Array.from({ length: 30_000 }, (_, i) => `chat-${String(i).padStart(30, '0')}`);
    expect(await event('sale', { users })).toMatchObject({
      status: 413,
      body: { error: { type: 'entity_too_large', message: 'request body must be at most 1048576 bytes' } },
    });
    const get = await t.call('/api/v1/events/sale');
    expect(get).toMatchObject({ status: 405, body: { error: { type: 'method_not_allowed', message: 'method GET is not allowed here' } } });
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('counts requests by result in roundel_external_events_total', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1' }, { id: 'c2' }]);
    await event('a', { users: 'everyone' });
    await event('a', { users: ['c1'] });
    await event('a', { users: 'nobody' });
    await event('a', { users: 'everyone' }, 'wrong-key');
    await t.call('/api/v1/events/a');
    const lines = (await (await fetch(`${t.url}/metrics`)).text()).split('\n');
    expect(lines.filter((line) => line.startsWith('roundel_external_event'))).toEqual([
      'roundel_external_events_total{result="accepted"} 2',
      'roundel_external_events_total{result="invalid"} 2',
      'roundel_external_events_total{result="unauthorized"} 1',
      'roundel_external_event_chats_total 3',
      ...lines.filter((line) => line.startsWith('roundel_external_event_fanout_seconds')),
    ]);
    expect(lines).toContain('roundel_external_event_fanout_seconds_count 2');
    expect(lines).toContain('roundel_external_event_fanout_seconds_bucket{le="+Inf"} 2');
  });
});

describe('GET /api/v1/chats/{chatId}/events', () => {
  it('pages through the stored outbound events after a seq', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1' }]);
    for (const n of [1, 2, 3]) await event(`e${n}`, { users: ['c1'] });
    await t.server.idle();
    const first = await t.call('/api/v1/chats/c1/events?after=0&limit=2');
    expect(first.status).toBe(200);
    const page = first.body as Page;
    expect(page.chat_id).toBe('c1');
    expect(page.events.map((e) => e.payload.seq)).toEqual([1, 2]);
    expect(page.next_after).toBe(2);
    const second = (await t.call('/api/v1/chats/c1/events?after=2&limit=2')).body as Page;
    expect(second.events.map((e) => [e.payload.seq, e.action])).toEqual([[3, 'incoming_event']]);
    expect(second.next_after).toBeNull();
    expect((await t.call('/api/v1/chats/c1/events?after=3')).body).toEqual({ chat_id: 'c1', events: [], next_after: null });
  });

  it('answers 400 for bad after/limit, 404 for an unknown chat, 405 for other methods', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1' }]);
    const bad = (message: string) => ({ status: 400, body: { error: { type: 'validation', message } } });
    expect(await t.call('/api/v1/chats/c1/events?after=-1')).toMatchObject(bad('after must be an integer from 0 to 9007199254740991'));
    expect(await t.call('/api/v1/chats/c1/events?after=1.5')).toMatchObject(bad('after must be an integer from 0 to 9007199254740991'));
    expect(await t.call('/api/v1/chats/c1/events?limit=0')).toMatchObject(bad('limit must be an integer from 1 to 1000'));
    expect(await t.call('/api/v1/chats/c1/events?limit=1001')).toMatchObject(bad('limit must be an integer from 1 to 1000'));
    expect(await t.call('/api/v1/chats/nope/events')).toMatchObject({
      status: 404,
      body: { error: { type: 'not_found', message: "no such chat 'nope'" } },
    });
    expect(await t.call('/api/v1/chats/%E0%A4%A/events')).toMatchObject(bad('malformed path'));
    expect((await t.call('/api/v1/chats/c1/events', { method: 'DELETE' })).status).toBe(405);
  });
});
