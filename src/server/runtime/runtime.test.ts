import { afterEach, describe, expect, it } from 'vitest';
import { messagePush } from '../chat/pushes';
import { openSqliteStore } from '../store/sqlite';
import { deferred, startServer, type TestServer } from '../test/harness';
import { MAX_OUTPUTS_PER_CALL } from './context';
import type { Bot, BotContext, Pushback } from './types';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

const message = (text: string, customId: string) => ({ event: { type: 'message', text, custom_id: customId } });

async function metric(url: string, prefix: string): Promise<string | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').find((line) => line.startsWith(prefix));
}

/** Runs `call`, recording `ok` or the error's name and message. */
async function outcome(call: () => unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

describe('untrusted bots', () => {
  it('logs a throwing handler and goes on with the chat', async () => {
    t = await startServer({
      async onMessage(ctx, text) {
        if (text === 'boom') throw new Error('bot bug');
        await ctx.say(`fine: ${text}`);
      },
      onStart: () => 42, // garbage return values are ignored
    });
    const c = await t.connect();
    await c.call('login');
    await c.call('send_event', message('boom', 'a'));
    await c.call('send_event', message('after', 'b'));
    await c.pushesUntil(3);
    expect(c.texts()).toEqual(['fine: after']);
    expect(await metric(t.url, 'roundel_handler_errors_total')).toBe('roundel_handler_errors_total{reason="threw"} 1');
  });

  it('abandons a handler past its time limit and ignores its later calls', async () => {
    const gate = deferred();
    const lateCall = deferred<string>();
    t = await startServer(
      {
        async onMessage(ctx, text) {
          if (text === 'hang') {
            await gate.promise;
            lateCall.resolve(await outcome(() => ctx.say('too late')));
            return;
          }
          await ctx.say(`fine: ${text}`);
        },
      },
      { handlerTimeoutMs: 100 },
    );
    const c = await t.connect();
    await c.call('login');
    await c.call('send_event', message('hang', 'a'));
    await c.call('send_event', message('next', 'b'));
    await c.pushesUntil(3);
    gate.resolve();
    expect(await lateCall.promise).toBe('ok');
    await c.call('send_event', message('last', 'c'));
    await c.pushesUntil(5);
    expect(c.texts()).toEqual(['fine: next', 'fine: last']);
    expect(await metric(t.url, 'roundel_handler_errors_total')).toBe('roundel_handler_errors_total{reason="timeout"} 1');
  });

  it('throws TypeError into the bot for invalid say and notifyHost arguments', async () => {
    const results = deferred<string[]>();
    const call = (ctx: BotContext, ...args: unknown[]) => (ctx.say as (...a: unknown[]) => Promise<void>)(...args);
    t = await startServer({
      async onStart(ctx) {
        results.resolve([
          await outcome(() => call(ctx, '')),
          await outcome(() => call(ctx, 42)),
          await outcome(() => call(ctx, 'x'.repeat(4001))),
          await outcome(() => call(ctx, 'ok', { quickReplies: 'no' })),
          await outcome(() => call(ctx, 'ok', { quickReplies: Array(11).fill('a') })),
          await outcome(() => call(ctx, 'ok', { quickReplies: [''] })),
          await outcome(() => ctx.notifyHost('n'.repeat(2001))),
          await outcome(() => ctx.say('valid', { quickReplies: ['A'] })),
        ]);
      },
    });
    const c = await t.connect();
    await c.call('login');
    expect(await results.promise).toEqual([
      'TypeError: text must be a non-empty string',
      'TypeError: text must be a non-empty string',
      'TypeError: text must be at most 4000 characters',
      'TypeError: say: options.quickReplies must be an array',
      'TypeError: say: options.quickReplies must have at most 10 entries',
      'TypeError: say: options.quickReplies[0] must be a non-empty string',
      'TypeError: message must be at most 2000 characters',
      'ok',
    ]);
    await c.pushesUntil(1);
    expect(c.texts()).toEqual(['valid']);
  });

  it('caps the outputs of one handler call', async () => {
    const result = deferred<string>();
    t = await startServer({
      async onStart(ctx) {
        result.resolve(await outcome(() => {
          for (let i = 0; i <= MAX_OUTPUTS_PER_CALL; i += 1) void ctx.notifyHost(`n${i}`);
        }));
      },
    });
    const c = await t.connect();
    await c.call('login');
    expect(await result.promise).toBe(`RangeError: a handler call may send at most ${MAX_OUTPUTS_PER_CALL} outputs`);
    await t.server.idle();
    const events = await (await fetch(`${t.url}/metrics`)).text();
    expect(events).toContain(`roundel_events_out_total{action="host_notification"} ${MAX_OUTPUTS_PER_CALL}`);
  });

  it('persists ctx.state between handler calls', async () => {
    t = await startServer({
      async onMessage(ctx) {
        const count = typeof ctx.state.count === 'number' ? ctx.state.count + 1 : 1;
        ctx.state.count = count;
        await ctx.say(`count ${count}`);
      },
    });
    const c = await t.connect();
    await c.call('login');
    for (const id of ['a', 'b', 'c']) await c.call('send_event', message('x', id));
    await c.pushesUntil(6);
    expect(c.texts()).toEqual(['count 1', 'count 2', 'count 3']);
  });
});

describe('ctx.request and pushbacks from bots', () => {
  it('gives onStart the seed-shaped request and creates pushbacks for the chat', async () => {
    const seen = deferred<{ request: unknown; pushback: Pushback }>();
    t = await startServer({
      async onStart(ctx) {
        const pushback = await ctx.createPushback('newNotification', { text: 'Huge online sale today!' });
        seen.resolve({ request: ctx.request, pushback });
      },
    });
    const c = await t.connect();
    const { chat_id: chatId, thread_id: threadId } = await c.call('login', { context: { lang: 'en' } });
    const { request, pushback } = await seen.promise;
    expect(request).toEqual({
      channelType: 'chatwidget',
      botId: 'acme-test',
      channelUserId: chatId,
      chatId,
      threadId,
      type: 'start',
      rawRequest: {},
      payload: { user: { context: { lang: 'en' } } },
    });
    expect(pushback).toMatchObject({
      channelType: 'chatwidget',
      botId: 'acme-test',
      chatId,
      event: 'newNotification',
      eventData: { text: 'Huge online sale today!' },
      link: `${t.url}/pushgate/push_${pushback.id}`,
    });
    expect(pushback.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(pushback.created).toISOString()).toBe(pushback.created);
  });

  it('validates the five arguments of $pushgate.createPushback', async () => {
    const results = deferred<string[]>();
    t = await startServer({
      async onMessage(ctx, other) {
        const create = ctx.$pushgate.createPushback as (...args: unknown[]) => Promise<Pushback>;
        const me = ctx.request.chatId;
        results.resolve([
          await outcome(() => create('chatwidget', 'acme-test', me, 'ev')),
          await outcome(() => create('telegram', 'acme-test', me, 'ev', {})),
          await outcome(() => create('chatwidget', 'someone-else', me, 'ev', {})),
          await outcome(() => create('chatwidget', 'acme-test', me, '', {})),
          await outcome(() => create('chatwidget', 'acme-test', me, 'ev', [])),
          await outcome(() => create('chatwidget', 'acme-test', 'no-such-chat', 'ev', {})),
          await outcome(() => create('chatwidget', 'acme-test', other, 'ev', { to: 'other' })),
        ]);
      },
      onEvent: (ctx, event, data) => ctx.say(`${event} ${JSON.stringify(data)}`),
    });
    const b = await t.connect();
    const { chat_id: otherChat } = await b.call('login');
    const a = await t.connect();
    await a.call('login');
    await a.call('send_event', message(String(otherChat), 'm'));
    expect(await results.promise).toEqual([
      'TypeError: $pushgate.createPushback needs channelType, botId, chatId, event and eventData',
      "TypeError: channelType must be 'chatwidget'",
      "TypeError: botId must be this bot's id 'acme-test'",
      'TypeError: event must be a non-empty string',
      'TypeError: eventData must be a plain object',
      "Error: chatId 'no-such-chat' is not a chat of this bot",
      'ok',
    ]);
  });
});

describe('durability', () => {
  it('processes an inbox item stored before a restart, and resumes the chat with the same token', async () => {
    const bot: Bot = { onEvent: (ctx, event, data) => ctx.say(`${event}: ${String(data.text)}`) };
    t = await startServer(bot);
    const c = await t.connect();
    const { chat_id: chatId, token } = await c.call('login');
    const dir = t.dir;
    await t.close(true);

    // What a crash right after a pushgate 202 leaves behind: a committed, unprocessed item.
    const store = openSqliteStore(`${dir}/roundel.db`);
    await store.acceptInbound({
      chatId: String(chatId),
      input: { kind: 'pushback', pushbackId: 'p', event: 'newNotification', eventData: { text: 'sale' } },
    });
    await store.close();

    t = await startServer(bot, { dir });
    const again = await t.connect();
    const login = await again.call('login', { token, last_seq: 0 });
    expect(login.resumed).toBe(true);
    await again.pushesUntil(1);
    expect(again.texts()).toEqual(['newNotification: sale']);
  });

  it('re-runs an interrupted item without duplicating the output it already stored', async () => {
    const bot: Bot = {
      async onEvent(ctx) {
        await ctx.say('first');
        await ctx.say('second');
      },
    };
    t = await startServer(bot);
    const c = await t.connect();
    const { chat_id: chatId, token } = await c.call('login');
    const dir = t.dir;
    await t.close(true);

    // A crash after the handler's first say: the item is pending and its first output stored.
    const store = openSqliteStore(`${dir}/roundel.db`);
    const accepted = await store.acceptInbound({ chatId: String(chatId), input: { kind: 'pushback', pushbackId: 'p', event: 'go', eventData: {} } });
    if (accepted.status !== 'accepted') throw new Error('not accepted');
    await store.append(
      String(chatId),
      messagePush(String(chatId), { id: 'm1', author: 'bot', text: 'first' }),
      `${accepted.item.id}:1`,
    );
    await store.close();

    t = await startServer(bot, { dir });
    const again = await t.connect();
    await again.call('login', { token });
    await again.pushesUntil(2);
    await t.server.idle();
    expect(again.texts()).toEqual(['first', 'second']);
  });
});
