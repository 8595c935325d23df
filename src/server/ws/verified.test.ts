/** Verified visitors: `login { user: { id, hash } }` (docs/protocol.md, "Verified visitors"). */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol';
import type { Bot, BotRequest } from '../runtime/types';
import { endpoint, startServer, type TestServer } from '../test/harness';

const SECRET = 'identity-secret-for-tests';
const sign = (id: string, secret = SECRET) => createHmac('sha256', secret).update(id).digest('hex');
const user = (id: string, extra: Record<string, string> = {}) => ({ id, hash: sign(id), ...extra });

let t: TestServer;
afterEach(async () => {
  await t.close();
});

const requests: BotRequest[] = [];
const bot: Bot = {
  async onStart(ctx) {
    requests.push(ctx.request);
    await ctx.say(`hello ${ctx.request.user?.name ?? 'stranger'}`);
  },
  onMessage: (ctx, text) => ctx.say(`echo ${text}`),
};

const start = () => startServer(bot, { endpoints: [endpoint(bot, { identitySecret: SECRET })] });
const chatsCreated = async () =>
  (await (await fetch(`${t.url}/metrics`)).text()).split('\n').find((line) => line.startsWith('roundel_chats_created_total '));

describe('verified visitors', () => {
  it('share one chat across browsers by user id; the bot sees ctx.request.user', async () => {
    requests.length = 0;
    t = await start();
    const a = await t.connect();
    const first = await a.call('login', { user: user('crm-42', { name: 'Ada', email: 'ada@example.com' }) });
    await a.pushesUntil(1);
    await a.call('send_event', { event: { type: 'message', text: 'from the laptop', custom_id: 'm1' } });
    await a.pushesUntil(3);
    expect(requests[0]?.user).toEqual({ id: 'crm-42', name: 'Ada', email: 'ada@example.com' });

    // Another browser: no token, the same id.
    const b = await t.connect();
    const second = await b.call('login', { user: user('crm-42'), history: true });
    expect(second).toMatchObject({ chat_id: first.chat_id, thread_id: first.thread_id, resumed: true });
    // The transcript so far follows the response (no position given: everything of the thread).
    await b.pushesUntil(3);
    expect(b.texts('visitor')).toEqual(['from the laptop']);
    await b.call('send_event', { event: { type: 'message', text: 'from the phone', custom_id: 'm2' } });
    await a.pushesUntil(5);
    expect(a.texts('visitor')).toEqual(['from the laptop', 'from the phone']);
    expect(await chatsCreated()).toBe('roundel_chats_created_total 1');
  });

  it('refuses a forged or foreign hash: nothing starts, nothing is stored, the socket closes 1008', async () => {
    t = await start();
    for (const forged of [{ id: 'crm-42', hash: sign('crm-43') }, { id: 'crm-42', hash: sign('crm-42', 'another-secret') }]) {
      const c = await t.connect();
      const refused = await c.request('login', { user: forged });
      expect(refused).toMatchObject({ success: false, error: { type: 'authentication' } });
      expect(await c.waitClose()).toBe(CloseCode.PolicyViolation);
      expect(c.frames.filter((f) => f.type === 'push')).toEqual([]);
    }
    expect(await chatsCreated()).toBe('roundel_chats_created_total 0');
  });

  it('is refused by an endpoint without an identity secret', async () => {
    t = await startServer(bot);
    const c = await t.connect();
    expect(await c.request('login', { user: user('crm-42') })).toMatchObject({ success: false, error: { type: 'authentication' } });
    expect(await chatsCreated()).toBe('roundel_chats_created_total 0');
  });

  it('binds the token to the user: another user, or no user, never opens that chat', async () => {
    t = await start();
    const a = await t.connect();
    const ada = await a.call('login', { user: user('ada') });
    const b = await t.connect();
    const bob = await b.call('login', { token: ada.token, last_seq: 1, user: user('bob'), history: true });
    expect(bob.chat_id).not.toBe(ada.chat_id);
    expect(bob.history).toEqual([]);
    const c = await t.connect();
    const anonymous = await c.call('login', { token: ada.token, history: true });
    expect(anonymous).toMatchObject({ resumed: false, history: [] });
    expect([ada.chat_id, bob.chat_id]).not.toContain(anonymous.chat_id);
    // And an anonymous chat's token does not follow a visitor who logs in.
    const d = await t.connect();
    const carol = await d.call('login', { token: anonymous.token, user: user('carol') });
    expect(carol.chat_id).not.toBe(anonymous.chat_id);
  });

  it('validates the user field (400-style validation naming it)', async () => {
    t = await start();
    const c = await t.connect();
    const cases: Array<[unknown, string]> = [
      ['crm-42', 'user must be an object { id, hash, name?, email? }'],
      [{ id: '', hash: sign('') }, 'user.id must be a string of 1-128 characters'],
      [{ id: 'x'.repeat(129), hash: sign('x') }, 'user.id must be a string of 1-128 characters'],
      [{ id: 'crm-42', hash: sign('crm-42').toUpperCase() }, 'user.hash must be 64 lowercase hex characters'],
      [{ id: 'crm-42', hash: 'abc' }, 'user.hash must be 64 lowercase hex characters'],
      [{ id: 'crm-42', hash: sign('crm-42'), name: 7 }, 'user.name must be a string of at most 200 characters'],
    ];
    for (const [value, message] of cases) {
      expect(await c.request('login', { user: value as never })).toMatchObject({ success: false, error: { type: 'validation', message } });
    }
  });

  it('keeps a returning visitor’s name and email current: the bot and the stored chat see the latest', async () => {
    requests.length = 0;
    const heard: BotRequest[] = [];
    const listening: Bot = { ...bot, onMessage: (ctx, text) => (heard.push(ctx.request), ctx.say(`echo ${text}`)) };
    t = await startServer(listening, { endpoints: [endpoint(listening, { identitySecret: SECRET })] });
    const laptop = await t.connect();
    const first = await laptop.call('login', { user: user('crm-7', { name: 'Ada' }) });
    await laptop.pushesUntil(1);

    // Another browser, later: the site now knows a full name and an email.
    const phone = await t.connect();
    await phone.call('login', { user: user('crm-7', { name: 'Ada Lovelace', email: 'ada@example.com' }) });
    await phone.call('send_event', { event: { type: 'message', text: 'hi', custom_id: 'm1' } });
    await phone.pushesUntil(3);
    expect(heard.at(-1)?.user).toEqual({ id: 'crm-7', name: 'Ada Lovelace', email: 'ada@example.com' });

    // The first browser resumes with its token and a new email; the name it leaves out is kept.
    const again = await t.connect();
    await again.call('login', { token: first.token, last_seq: 3, user: user('crm-7', { email: 'ada@lovelace.example' }) });
    await again.call('send_event', { event: { type: 'message', text: 'again', custom_id: 'm2' } });
    await again.pushesUntil(5);
    expect(heard.at(-1)?.user).toEqual({ id: 'crm-7', name: 'Ada Lovelace', email: 'ada@lovelace.example' });
    const stored = await fetch(`${t.url}/api/v1/chats/${String(first.chat_id)}`, { headers: { authorization: 'Bearer test-key-acme' } });
    expect(await stored.json()).toMatchObject({ user: { id: 'crm-7', name: 'Ada Lovelace', email: 'ada@lovelace.example' } });
  });
});
