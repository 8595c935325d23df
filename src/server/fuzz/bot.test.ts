/**
 * Bot output is untrusted too: a bot that passes garbage to ctx, throws anything, returns
 * garbage, never resolves, or calls ctx after its handler ended must not break its chat.
 * Each hostile variant runs as one visitor message; a `ping` after it must still get `pong`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Limits } from '../../protocol';
import type { Bot, BotContext } from '../runtime/types';
import { startServer, type TestClient, type TestServer } from '../test/harness';
import { deepObjects } from './random';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

/** A Proxy whose every trap throws: reading, testing, even `instanceof` on it fails. */
const hostile = (): object =>
  new Proxy({}, Object.fromEntries(['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor'].map((trap) => [trap, () => { throw new Error(`trap ${trap}`); }])));

const revoked = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

const cyclic = (): Record<string, unknown> => {
  const a: Record<string, unknown> = {};
  a.self = a;
  return a;
};

const late: BotContext[] = [];
type Variant = (ctx: BotContext) => unknown;
// eslint-style casts: these are exactly the wrong types a bot might pass.
const garbage = <T>(value: unknown): T => value as T;

const VARIANTS: Record<string, Variant> = {
  'say-number': (ctx) => ctx.say(garbage(42)),
  'say-null': (ctx) => ctx.say(garbage(null)),
  'say-throwing-tostring': (ctx) => ctx.say(garbage({ toString: () => { throw new Error('toString'); } })),
  'say-symbol': (ctx) => ctx.say(garbage(Symbol('s'))),
  'say-empty': (ctx) => ctx.say(''),
  'say-too-long': (ctx) => ctx.say('x'.repeat(Limits.textChars + 1)),
  'say-huge-replies': (ctx) => ctx.say('ok', { quickReplies: new Array<string>(1_000_000).fill('r') }),
  'say-reply-objects': (ctx) => ctx.say('ok', { quickReplies: garbage([{}]) }),
  'say-proxy-options': (ctx) => ctx.say('ok', garbage(hostile())),
  'say-proxy-replies': (ctx) => ctx.say('ok', { quickReplies: garbage(new Proxy(['a'], { get: () => { throw new Error('trap'); } })) }),
  'say-revoked-options': (ctx) => ctx.say('ok', garbage(revoked())),
  'notify-object': (ctx) => ctx.notifyHost(garbage({})),
  'pushback-cyclic': (ctx) => ctx.createPushback('e', cyclic()),
  'pushback-bigint': (ctx) => ctx.createPushback('e', garbage({ n: 1n })),
  'pushback-deep': (ctx) => ctx.createPushback('e', JSON.parse(deepObjects(Limits.jsonDepth + 5)) as Record<string, unknown>),
  'pushgate-missing': (ctx) => ctx.$pushgate.createPushback(garbage('chatwidget'), garbage(undefined), garbage(undefined), garbage(undefined), garbage(undefined)),
  'pushgate-foreign-chat': (ctx) => ctx.$pushgate.createPushback('chatwidget', 'acme-test', 'not-a-chat', 'e', {}),
  'throw-proxy': () => {
    throw hostile();
  },
  'throw-null': () => {
    throw garbage<Error>(null);
  },
  'throw-tostring': () => {
    throw garbage<Error>({ toString: () => { throw new Error('x'); } });
  },
  'throw-error-with-getters': () => {
    const error = new Error('e');
    Object.defineProperty(error, 'message', { get: () => { throw new Error('getter'); } });
    throw error;
  },
  'reject-proxy': () => Promise.reject(hostile()),
  'reject-revoked': () => Promise.reject(revoked()),
  'return-bad-thenable': () => ({ get then() { throw new Error('then'); } }),
  'return-proxy': () => hostile(),
  'return-revoked': () => revoked(),
  'hang-then-say-late': (ctx) => {
    late.push(ctx);
    return new Promise(() => {});
  },
  'end-then-say-late': (ctx) => {
    late.push(ctx);
    setTimeout(() => void ctx.say('late from a timer'), 0);
  },
  'state-cyclic': (ctx) => {
    ctx.state = cyclic();
  },
  'state-bigint': (ctx) => {
    ctx.state = garbage({ n: 1n });
  },
  'state-proxy': (ctx) => {
    ctx.state = garbage(hostile());
  },
  'state-revoked': (ctx) => {
    ctx.state = garbage(revoked());
  },
  'state-getter': (ctx) => {
    Object.defineProperty(ctx, 'state', { get: () => { throw new Error('state getter'); } });
  },
  'state-deep': (ctx) => {
    ctx.state = JSON.parse(deepObjects(Limits.jsonDepth + 5)) as Record<string, unknown>;
  },
  'state-tojson-flips': (ctx) => {
    let calls = 0;
    ctx.state = garbage({ toJSON: () => (++calls === 1 ? { count: 1 } : cyclic()) });
  },
  'state-not-an-object': (ctx) => {
    ctx.state = garbage([1, 2]);
  },
};

const bot: Bot = {
  async onMessage(ctx, text) {
    if (text === 'ping') return ctx.say('pong');
    if (text === 'count') {
      const count = (typeof ctx.state.count === 'number' ? ctx.state.count : 0) + 1;
      ctx.state.count = count;
      return ctx.say(`count ${count}`);
    }
    return VARIANTS[text]?.(ctx);
  },
};

async function send(client: TestClient, text: string, n: number): Promise<void> {
  await client.call('send_event', { event: { type: 'message', text, custom_id: `c${n}` } });
}

describe('a hostile bot', () => {
  it('cannot break its chat with garbage output, throws, garbage returns, hangs or late ctx calls', async () => {
    late.length = 0;
    t = await startServer(bot, { handlerTimeoutMs: 300, messageRateLimit: { burst: 1000, perSecond: 1000 } });
    const client = await t.connect();
    await client.call('login');
    const names = ['count', ...Object.keys(VARIANTS), 'count'];
    let n = 0;
    for (const name of names) {
      await send(client, name, (n += 1));
      await send(client, 'ping', (n += 1));
    }
    await t.server.idle();
    expect(late).toHaveLength(2);
    for (const ctx of late) {
      await ctx.say('late');
      await ctx.notifyHost('late');
    }
    await send(client, 'ping', (n += 1));
    const expected = names.flatMap((name) => (name === 'count' ? [] : ['pong']));
    // The last pong is published with its turn's commit; wait for it to arrive, then compare all.
    await client.waitFor(() => client.texts().length >= expected.length + 5);
    await t.server.idle();
    // `count` survives every unusable state: none of them was persisted.
    expect(client.texts()).toEqual(['count 1', 'pong', ...expected, 'count 2', 'pong', 'pong']);
    expect(client.storedPushes().filter((p) => p.action === 'host_notification')).toEqual([]);
  }, 30_000);

  it('drops an item whose handler cannot even be read (a throwing getter) and goes on', async () => {
    let armed = false;
    const getterBot = {
      get onPageEvent() {
        if (armed) throw new Error('getter');
        return undefined;
      },
      onMessage: (ctx: BotContext) => ctx.say('pong'),
    } as Bot;
    t = await startServer(getterBot);
    armed = true;
    const client = await t.connect();
    await client.call('login');
    await client.call('page_event', { alias: 'pricing', custom_id: 'p1' });
    await send(client, 'ping', 1);
    await client.pushesUntil(2);
    expect(client.texts()).toEqual(['pong']);
  });
});
