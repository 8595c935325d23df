import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../runtime/types';
import { ENDPOINT_A, ENDPOINT_B, KEY_A, KEY_B, countRows, seedChats, startApiServer, type ApiServer } from '../test/api';

let t: ApiServer;
afterEach(async () => {
  await t.close();
});

const bot: Bot = { onEvent: (ctx, event) => ctx.say(`event ${event}`) };

const CHAT_A = 'chat-a-0001';
const CHAT_B = 'chat-b-0001';

async function setup(): Promise<void> {
  t = await startApiServer(bot);
  seedChats(t.dbPath, [{ id: CHAT_A }, { id: CHAT_B, endpoint: ENDPOINT_B }]);
}

/** One request per route of the API, each otherwise valid for key A. */
const ROUTES: Array<[string, string, unknown?]> = [
  ['POST', '/api/v1/pushbacks', { channelType: 'chatwidget', botId: ENDPOINT_A, chatId: CHAT_A, event: 'e', eventData: {} }],
  ['GET', '/api/v1/pushbacks/00000000-0000-4000-8000-000000000000'],
  ['DELETE', '/api/v1/pushbacks/00000000-0000-4000-8000-000000000000'],
  ['POST', '/api/v1/events/sale', { users: 'everyone' }],
  ['GET', `/api/v1/chats/${CHAT_A}/events`],
];

describe('the API key', () => {
  it('is required on every route: 401 with WWW-Authenticate, before anything else is looked at', async () => {
    await setup();
    for (const [method, path, body] of ROUTES) {
      const missing = await t.call(path, { method, body, key: null });
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(missing.body).toEqual({ error: { type: 'authentication', message: 'send Authorization: Bearer <apiKey>' } });
      const wrong = await t.call(path, { method, body, key: `${KEY_A}x` });
      expect(wrong.status, `${method} ${path}`).toBe(401);
      expect(wrong.body).toEqual({ error: { type: 'authentication', message: 'the API key is not valid' } });
    }
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM pushbacks')).toBe(0);
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM inbox')).toBe(0);
  });

  it('must be sent as a Bearer token', async () => {
    await setup();
    for (const authorization of [`Basic ${KEY_A}`, KEY_A, 'Bearer', `Bearer ${KEY_A} extra`]) {
      const res = await t.call('/api/v1/events/sale', { key: null, headers: { Authorization: authorization }, body: { users: [] } });
      expect(res.status, authorization).toBe(401);
    }
    const lowercase = await t.call('/api/v1/events/sale', { key: null, headers: { Authorization: `bearer ${KEY_A}` }, body: { users: [] } });
    expect(lowercase).toMatchObject({ status: 202, body: { event: 'sale', matched: 0 } });
  });

  it('is not asked of a path that is no route (404) or a method the route lacks (405): the routes are public', async () => {
    await setup();
    for (const key of [null, KEY_A]) {
      expect(await t.call('/api/v1/no-such-route', { key })).toMatchObject({
        status: 404,
        body: { error: { type: 'not_found', message: 'no such API route' } },
      });
      expect((await t.call('/api/v1', { key })).status).toBe(404);
      expect((await t.call('/api/v1/pushbacks/', { key })).status).toBe(404);
      // HEAD has no body to parse: a plain fetch.
      const head = await fetch(`${t.url}/api/v1/pushbacks/00000000-0000-4000-8000-000000000000`, {
        method: 'HEAD',
        headers: key === null ? {} : { Authorization: `Bearer ${key}` },
      });
      expect(head.status).toBe(405);
      expect(head.headers.get('allow')).toBe('GET, DELETE');
    }
  });
});

describe('a key of another endpoint', () => {
  it('may not create pushbacks for its bot or its chats (403)', async () => {
    await setup();
    const input = { channelType: 'chatwidget', botId: ENDPOINT_A, chatId: CHAT_A, event: 'e', eventData: {} };
    expect(await t.call('/api/v1/pushbacks', { body: input, key: KEY_B })).toMatchObject({
      status: 403,
      body: { error: { type: 'authentication', message: `this key may not manage bot '${ENDPOINT_A}'` } },
    });
    expect(await t.call('/api/v1/pushbacks', { body: { ...input, botId: ENDPOINT_B }, key: KEY_B })).toMatchObject({
      status: 403,
      body: { error: { type: 'authentication', message: `this key may not reach chat '${CHAT_A}'` } },
    });
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM pushbacks')).toBe(0);
  });

  it('may not read or delete its pushbacks (403); the pushback stays active', async () => {
    await setup();
    const input = { channelType: 'chatwidget', botId: ENDPOINT_A, chatId: CHAT_A, event: 'e', eventData: {} };
    const created = await t.call('/api/v1/pushbacks', { body: input });
    const { id, link } = created.body as { id: string; link: string };
    const refused = { error: { type: 'authentication', message: 'this key may not manage this pushback' } };
    expect(await t.call(`/api/v1/pushbacks/${id}`, { key: KEY_B })).toMatchObject({ status: 403, body: refused });
    expect(await t.call(`/api/v1/pushbacks/${id}`, { method: 'DELETE', key: KEY_B })).toMatchObject({ status: 403, body: refused });
    expect((await fetch(link)).status).toBe(202);
    expect((await t.call(`/api/v1/pushbacks/${id}`)).status).toBe(200);
  });

  it('may not read its chats’ events (403)', async () => {
    await setup();
    expect(await t.call(`/api/v1/chats/${CHAT_A}/events`, { key: KEY_B })).toMatchObject({
      status: 403,
      body: { error: { type: 'authentication', message: `this key may not reach chat '${CHAT_A}'` } },
    });
    expect((await t.call(`/api/v1/chats/${CHAT_B}/events`, { key: KEY_B })).status).toBe(200);
  });

  it('may not send external events to its chats (403, nothing stored); "everyone" means its own', async () => {
    await setup();
    const listed = await t.call('/api/v1/events/sale', { body: { users: [CHAT_B, CHAT_A] }, key: KEY_B });
    expect(listed).toMatchObject({
      status: 403,
      body: { error: { type: 'authentication', message: `this key may not reach chat '${CHAT_A}'` } },
    });
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM inbox')).toBe(0);
    const everyone = await t.call('/api/v1/events/sale', { body: { users: 'everyone' }, key: KEY_B });
    expect(everyone).toMatchObject({ status: 202, body: { event: 'sale', matched: 1 } });
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM inbox WHERE chat_id = '${CHAT_B}'`)).toBe(1);
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM inbox WHERE chat_id = '${CHAT_A}'`)).toBe(0);
  });
});
