import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../protocol';
import type { Bot, BotRequest } from '../runtime/types';
import { startServer, type TestServer } from '../test/harness';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

const message = (text: string, customId: string) => ({ event: { type: 'message', text, custom_id: customId } });

describe('send_event', () => {
  it('stores the visitor message as incoming_event and answers event_id and seq', async () => {
    const seen: string[] = [];
    t = await startServer({
      onMessage(_ctx, text) {
        seen.push(text);
      },
    });
    const c = await t.connect();
    const { chat_id: chatId } = await c.call('login');
    const answer = await c.call('send_event', message('Hello there', 'cid-1'));
    expect(answer.seq).toBe(1);
    const [push] = await c.pushesUntil(1);
    expect(push).toMatchObject({
      action: 'incoming_event',
      type: 'push',
      payload: {
        chat_id: chatId,
        seq: 1,
        event: { id: answer.event_id, type: 'message', author: 'visitor', text: 'Hello there', custom_id: 'cid-1' },
      },
    });
    await t.server.idle();
    expect(seen).toEqual(['Hello there']);
  });

  it('deduplicates by custom_id: the repeat gets the original answer and nothing else happens', async () => {
    const seen: string[] = [];
    t = await startServer({
      async onMessage(ctx, text) {
        seen.push(text);
        await ctx.say(`got ${text}`);
      },
    });
    const c = await t.connect();
    await c.call('login');
    const first = await c.call('send_event', message('once', 'same'));
    const again = await c.call('send_event', message('once', 'same'));
    expect(again).toEqual(first);
    await t.server.idle();
    await c.call('send_event', message('next', 'other'));
    await c.pushesUntil(4);
    await t.server.idle();
    expect(c.storedPushes().map((p) => p.action)).toEqual(['incoming_event', 'incoming_event', 'incoming_event', 'incoming_event']);
    expect(seen).toEqual(['once', 'next']);
  });
});

describe('postbacks, page events and context', () => {
  it('stores a postback and gives its id to onMessage', async () => {
    const seen: Array<[string, string]> = [];
    t = await startServer({
      async onStart(ctx) {
        await ctx.say('Pick one', { quickReplies: ['Red', 'Blue'] });
      },
      onMessage(ctx, text) {
        seen.push([text, ctx.request.type]);
      },
    });
    const c = await t.connect();
    await c.call('login');
    const [offer] = await c.pushesUntil(1);
    if (offer?.action !== 'incoming_event') throw new Error('expected the bot message');
    expect(offer.payload.event.quick_replies).toEqual(['Red', 'Blue']);
    const eventId = offer.payload.event.id;
    const answer = await c.call('send_rich_message_postback', {
      event_id: eventId,
      postback: { id: 'Blue', toggled: true },
      custom_id: 'pb-1',
    });
    expect(answer).toEqual({ event_id: eventId, seq: 2 });
    const pushes = await c.pushesUntil(2);
    expect(pushes[1]).toMatchObject({
      action: 'incoming_rich_message_postback',
      payload: { seq: 2, event_id: eventId, postback: { id: 'Blue', toggled: true }, custom_id: 'pb-1' },
    });
    await t.server.idle();
    expect(seen).toEqual([['Blue', 'message']]);
  });

  it('runs onPageEvent with the body as payload.user.context; update_context changes later requests', async () => {
    const requests: Array<Pick<BotRequest, 'type' | 'event'> & { context: JsonObject; args?: unknown[] }> = [];
    const record = (request: BotRequest, args?: unknown[]) =>
      requests.push({ type: request.type, event: request.event, context: request.payload.user.context, args });
    t = await startServer({
      onStart: (ctx) => void record(ctx.request),
      onPageEvent: (ctx, alias, context) => void record(ctx.request, [alias, context]),
      onMessage: (ctx) => void record(ctx.request),
    });
    const c = await t.connect();
    await c.call('login', { context: { page: 'home' } });
    expect(await c.call('page_event', { alias: 'viewed-pricing', body: { plan: 'pro' }, custom_id: 'p1' })).toEqual({
      accepted: true,
    });
    expect(await c.call('page_event', { alias: 'checkout', custom_id: 'p2' })).toEqual({ accepted: true });
    expect(await c.call('page_event', { alias: 'checkout', custom_id: 'p2' })).toEqual({ accepted: true });
    expect(await c.call('update_context', { context: { page: 'cart' } })).toEqual({});
    await c.call('send_event', message('hi', 'm1'));
    await t.server.idle();
    expect(requests).toEqual([
      { type: 'start', event: undefined, context: { page: 'home' }, args: undefined },
      { type: 'page_event', event: 'viewed-pricing', context: { plan: 'pro' }, args: ['viewed-pricing', { plan: 'pro' }] },
      { type: 'page_event', event: 'checkout', context: {}, args: ['checkout', {}] },
      { type: 'message', event: undefined, context: { page: 'cart' }, args: undefined },
    ]);
  });
});

describe('start_chat', () => {
  it('closes the thread (thread_closed reaches the other tabs) and starts a new one in the same chat', async () => {
    t = await startServer({
      async onStart(ctx) {
        await ctx.say(`welcome ${ctx.request.threadId}`);
      },
    });
    const a = await t.connect();
    const first = await a.call('login', { context: { from: 'a' } });
    await a.pushesUntil(1);
    const b = await t.connect();
    await b.call('login', { token: first.token, last_seq: 1 });

    const next = await a.call('start_chat');
    // Same chat, a new thread that begins after the closing (seq 2); seq goes on across threads.
    expect(next).toMatchObject({ chat_id: first.chat_id, thread_seq: 2, last_seq: 2, history: [] });
    expect(next.thread_id).not.toBe(first.thread_id);
    const closed = await b.waitFor((f) => f.action === 'thread_closed');
    expect(closed.payload).toEqual({ chat_id: first.chat_id, seq: 2, thread_id: first.thread_id });
    // The tab that reset does not get the closing, only the new thread's pushes.
    await a.pushesUntil(3);
    expect(a.frames.some((f) => f.action === 'thread_closed')).toBe(false);
    expect(a.texts()).toEqual([`welcome ${String(first.thread_id)}`, `welcome ${String(next.thread_id)}`]);
    await b.pushesUntil(3);
    expect(b.storedPushes().map((p) => p.payload.seq)).toEqual([2, 3]);

    // The token still opens the chat: a page loading now gets only the new thread, whole.
    const c = await t.connect();
    const reload = await c.call('login', { token: first.token, history: true });
    expect(reload).toMatchObject({ chat_id: first.chat_id, thread_id: next.thread_id, thread_seq: 2, last_seq: 3 });
    expect((reload.history as Array<{ payload: { seq: number } }>).map((p) => p.payload.seq)).toEqual([3]);
    // A tab whose position lies in the old thread (seq 1) gets the new thread whole, nothing older.
    const d = await t.connect();
    const behind = await d.call('login', { token: first.token, last_seq: 1 });
    expect(behind).toMatchObject({ thread_id: next.thread_id, recovered: true, last_seq: 3 });
    expect((behind.history as Array<{ payload: { seq: number } }>).map((p) => p.payload.seq)).toEqual([3]);
    // The other tab goes on in the new thread.
    await b.call('send_event', message('still here', 'late'));
    await a.pushesUntil(4);
  });

  it('opens a new thread at login when the token asks for one (a reset made offline)', async () => {
    t = await startServer({ onStart: (ctx) => ctx.say('hello') });
    const a = await t.connect();
    const first = await a.call('login');
    await a.pushesUntil(1);
    const b = await t.connect();
    const fresh = await b.call('login', { token: first.token, last_seq: 1, new_thread: true });
    expect(fresh).toMatchObject({ chat_id: first.chat_id, thread_seq: 2, last_seq: 2, history: [] });
    expect(fresh.thread_id).not.toBe(first.thread_id);
    await b.pushesUntil(3);
    expect(b.texts()).toEqual(['hello']);
    expect((await a.waitFor((f) => f.action === 'thread_closed')).payload).toMatchObject({ seq: 2 });
  });
});

describe('typing indicator', () => {
  const typingOf = (f: { action?: string; payload?: unknown }) =>
    f.action === 'incoming_typing_indicator' ? `typing:${String((f.payload as { typing_indicator: { is_typing: boolean } }).typing_indicator.is_typing)}` : f.action;

  it('is not sent for a handler that answers at once', async () => {
    t = await startServer({
      async onMessage(ctx) {
        await ctx.say('done');
      },
    });
    const c = await t.connect();
    await c.call('login');
    await c.call('send_event', message('hi', 'm'));
    await c.pushesUntil(2);
    await t.server.idle();
    expect(c.frames.filter((f) => f.type === 'push').map(typingOf)).toEqual(['incoming_event', 'incoming_event']);
  });

  it('is sent (without seq) around a handler that takes a while', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    t = await startServer({
      async onMessage(ctx) {
        await held;
        await ctx.say('done');
      },
    });
    const c = await t.connect();
    const { chat_id: chatId } = await c.call('login');
    await c.call('send_event', message('hi', 'm'));
    // Shown once the handler has run for a moment; the handler goes on only then.
    const typing = await c.waitFor((f) => f.action === 'incoming_typing_indicator');
    expect(typing.payload).toEqual({ chat_id: chatId, typing_indicator: { author_id: 'bot', is_typing: true } });
    release();
    await c.waitFor((f) => f.action === 'incoming_typing_indicator' && JSON.stringify(f).includes('"is_typing":false'));
    expect(c.frames.filter((f) => f.type === 'push').map(typingOf)).toEqual(['incoming_event', 'typing:true', 'incoming_event', 'typing:false']);
  });
});

const slowFirst = (): { bot: Bot; release: () => void } => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const bot: Bot = {
    async onMessage(ctx, text) {
      await ctx.say(`start ${text}`);
      if (text === 'one') await gate;
      await ctx.say(`end ${text}`);
    },
  };
  return { bot, release };
};

describe('per-chat ordering', () => {
  it('runs a chat’s handlers one at a time, in arrival order', async () => {
    const { bot, release } = slowFirst();
    t = await startServer(bot);
    const c = await t.connect();
    await c.call('login');
    await c.call('send_event', message('one', 'a'));
    await c.call('send_event', message('two', 'b'));
    await c.waitFor((f) => JSON.stringify(f).includes('start one'));
    release();
    await c.pushesUntil(6);
    expect(c.texts()).toEqual(['start one', 'end one', 'start two', 'end two']);
  });

  it('lets another chat run while one chat’s handler waits', async () => {
    const { bot, release } = slowFirst();
    t = await startServer(bot);
    const a = await t.connect();
    await a.call('login');
    const b = await t.connect();
    await b.call('login');
    await a.call('send_event', message('one', 'a'));
    await a.waitFor((f) => JSON.stringify(f).includes('start one'));
    await b.call('send_event', message('two', 'b'));
    await b.pushesUntil(3);
    expect(b.texts()).toEqual(['start two', 'end two']);
    release();
    await a.pushesUntil(3);
    expect(a.texts()).toEqual(['start one', 'end one']);
  });
});
