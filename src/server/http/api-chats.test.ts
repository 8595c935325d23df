/** `GET` and `DELETE /api/v1/chats/{chatId}`: a chat and its threads; erasing one person's data. */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol';
import type { Bot } from '../runtime/types';
import { ENDPOINT_A, KEY_B, countRows, seedChats, startApiServer, type ApiServer } from '../test/api';

let t: ApiServer;
afterEach(async () => {
  await t.close();
});

const bot: Bot = {
  onStart: (ctx) => ctx.say('hello'),
  async onMessage(ctx, text) {
    ctx.state = { last: text };
    await ctx.createPushback('later', {});
    await ctx.say(`echo ${text}`);
  },
};
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('GET /api/v1/chats/{chatId}', () => {
  it('answers the chat with its threads, oldest first', async () => {
    t = await startApiServer(bot);
    const c = await t.connect();
    const first = await c.call('login');
    const second = await c.call('start_chat');
    const res = await t.call(`/api/v1/chats/${String(first.chat_id)}`);
    expect(res.status).toBe(200);
    const chat = res.body as { id: string; createdAt: string; threads: Array<{ id: string; createdAt: string; closedAt: string | null }> };
    expect(chat).toEqual({ id: first.chat_id, createdAt: expect.stringMatching(ISO), threads: expect.any(Array) });
    // The first thread was closed by the reset; the second is open.
    expect(chat.threads.map((thread) => [thread.id, thread.closedAt === null])).toEqual([
      [first.thread_id, false],
      [second.thread_id, true],
    ]);
    expect(chat.threads[0]?.closedAt).toMatch(ISO);
  });

  it('names the verified visitor; 404 for an unknown chat, 403 for another endpoint’s', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'c1', userId: 'crm-7' }, { id: 'theirs', endpoint: 'globex-test' }]);
    expect((await t.call('/api/v1/chats/c1')).body).toMatchObject({ id: 'c1', user: { id: 'crm-7' }, threads: [{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), closedAt: null }] });
    expect(await t.call('/api/v1/chats/nope')).toMatchObject({ status: 404, body: { error: { type: 'not_found' } } });
    expect(await t.call('/api/v1/chats/theirs')).toMatchObject({ status: 403 });
    expect(await t.call('/api/v1/chats/c1', { key: KEY_B })).toMatchObject({ status: 403 });
  });
});

describe('DELETE /api/v1/chats/{chatId}', () => {
  it('erases everything of the chat; its pushbacks answer 404; an open widget starts a new chat', async () => {
    t = await startApiServer(bot);
    const c = await t.connect();
    const login = await c.call('login');
    const chatId = String(login.chat_id);
    await c.call('send_event', { event: { type: 'message', text: 'hi', custom_id: 'm1' } });
    await c.pushesUntil(3);
    await t.server.idle();
    const created = await t.call('/api/v1/pushbacks', {
      body: { channelType: 'chatwidget', botId: ENDPOINT_A, chatId, event: 'e', eventData: {} },
      headers: { 'Idempotency-Key': 'k1' },
    });
    const pushbackId = (created.body as { id: string }).id;
    const other = await (await t.connect()).call('login');

    const erased = await t.call(`/api/v1/chats/${chatId}`, { method: 'DELETE' });
    expect(erased.status).toBe(204);
    expect(await c.waitClose()).toBe(CloseCode.ChatErased);
    for (const table of ['chats', 'threads', 'events', 'inbox', 'pushbacks', 'idempotency']) {
      const column = table === 'chats' ? 'id' : 'chat_id';
      expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = '${chatId}'`), table).toBe(0);
    }
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM chats WHERE id = '${String(other.chat_id)}'`)).toBe(1);
    expect(await t.call(`/api/v1/pushbacks/${pushbackId}`)).toMatchObject({ status: 404 });
    expect((await fetch(`${t.url}/pushgate/push_${pushbackId}`, { method: 'POST' })).status).toBe(404);
    expect(await t.call(`/api/v1/chats/${chatId}`)).toMatchObject({ status: 404 });
    expect(await t.call(`/api/v1/chats/${chatId}/events`)).toMatchObject({ status: 404 });
    expect(await t.call(`/api/v1/chats/${chatId}`, { method: 'DELETE' })).toMatchObject({ status: 404 });

    // The widget reconnects with its token: a new chat, nothing of the old one.
    const again = await t.connect();
    const fresh = await again.call('login', { token: login.token, last_seq: 3, history: true });
    expect(fresh).toMatchObject({ resumed: false, history: [] });
    expect(fresh.chat_id).not.toBe(chatId);
    await again.pushesUntil(1);
    expect(again.texts()).toEqual(['hello']);
  });

  it('refuses another endpoint’s chat (403) and keeps it', async () => {
    t = await startApiServer(bot);
    seedChats(t.dbPath, [{ id: 'theirs', endpoint: 'globex-test' }]);
    expect(await t.call('/api/v1/chats/theirs', { method: 'DELETE' })).toMatchObject({ status: 403 });
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM chats WHERE id = 'theirs'`)).toBe(1);
  });
});
