/**
 * The agent side against a real server: the agent websocket's admission and login, every request
 * and push of docs/agent-api.md, the handoff from the bot and back, and isolation between
 * endpoints and between visitor and agent sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Bot } from '../runtime/types';
import { endpoint, startServer, TestClient, type TestServer } from '../test/harness';

const bot: Bot = {
  async onStart(ctx) {
    await ctx.say('Hi, I am the bot');
  },
  async onMessage(ctx, text) {
    if (text === 'human') {
      await ctx.say('Connecting you to a person');
      await ctx.handoff('asked for a person');
    } else await ctx.say(`echo: ${text}`);
  },
};

const ALICE = { id: 'alice@example.com', name: 'Alice', key: 'alice-key-0123456789' };
const BOB = { id: 'bob@example.com', name: 'Bob', key: 'bob-key-0123456789' };
const CAROL = { id: 'carol@example.com', name: 'Carol', key: 'carol-key-0123456789' };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<TestServer> {
  server = await startServer(bot, {
    endpoints: [
      endpoint(bot, { agents: [ALICE, BOB] }),
      endpoint(bot, { endpoint: 'acme-other', apiKey: 'test-key-other', agents: [CAROL] }),
    ],
  });
  return server;
}

const agentUrl = (s: TestServer, organization = 'acme') => `${s.url.replace('http', 'ws')}/agent/rtm?organization=${organization}`;

/** An agent logged in over a same-origin socket. */
async function agent(s: TestServer, key: string): Promise<TestClient> {
  const client = await TestClient.open(agentUrl(s), s.url);
  await client.call('login', { token: key });
  return client;
}

/** The HTTP status an upgrade attempt is refused with (or 101). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}

const push = (action: string, test: (payload: Record<string, unknown>) => boolean = () => true) => (frame: Record<string, unknown>) =>
  frame.type === 'push' && frame.action === action && test(frame.payload as Record<string, unknown>);

describe('the agent websocket', () => {
  it('admits same-origin pages and clients without Origin only, for a known organization', async () => {
    const s = await start();
    expect(await upgradeStatus(agentUrl(s, 'nope'))).toBe(404);
    expect(await upgradeStatus(agentUrl(s), { Origin: 'https://shop.example' })).toBe(403);
    expect(await upgradeStatus(agentUrl(s), { Origin: s.url })).toBe(101);
    expect(await upgradeStatus(agentUrl(s))).toBe(101);
  });

  it('answers a wrong key with authentication and closes; refuses requests before login', async () => {
    const s = await start();
    const early = await TestClient.open(agentUrl(s), s.url);
    expect(await early.request('list_chats')).toMatchObject({ success: false, error: { type: 'authentication' } });
    const wrong = await TestClient.open(agentUrl(s), s.url);
    expect(await wrong.request('login', { token: 'not-a-key' })).toMatchObject({ success: false, error: { type: 'authentication' } });
    expect(await wrong.waitClose()).toBe(1008);
  });

  it('logs in with the key: the agent and the chats it sees', async () => {
    const s = await start();
    const visitor = await s.connect();
    await visitor.call('login', {});
    const alice = await TestClient.open(agentUrl(s), s.url);
    const login = await alice.call('login', { token: ALICE.key });
    expect(login.agent).toEqual({ id: ALICE.id, name: ALICE.name });
    expect((login.chats as { id: string }[]).map((c) => c.id)).toHaveLength(1);
  });
});

describe('a handoff, end to end', () => {
  it('queues, joins, talks both ways with the bot silent, transfers, leaves (bot back) and closes', async () => {
    const s = await start();
    const alice = await agent(s, ALICE.key);
    const visitor = await s.connect();
    const { chat_id: chatId } = (await visitor.call('login', {})) as { chat_id: string };
    await alice.waitFor(push('customer_visit_started', (p) => p.customer_id === chatId));
    await alice.waitFor(push('incoming_chat_thread', (p) => (p.chat as { id: string }).id === chatId));
    await visitor.call('update_customer_page', { url: 'https://shop.example/pricing', title: 'Pricing', referrer: '' });
    await alice.waitFor(push('customer_page_updated', (p) => p.url === 'https://shop.example/pricing' && p.title === 'Pricing'));

    await visitor.call('send_event', { event: { type: 'message', text: 'human', custom_id: 'c1' } });
    const queued = await alice.waitFor(push('chat_properties_updated', (p) => p.chat_id === chatId));
    expect(queued.payload).toEqual({ chat_id: chatId, properties: { routing: { status: 'queued', reason: 'asked for a person' } } });
    await visitor.waitFor(push('chat_thread_properties_updated'));
    const list = await alice.call('list_chats');
    expect(list.chats_summary).toEqual([expect.objectContaining({ id: chatId, properties: { routing: { status: 'queued', reason: 'asked for a person' } } })]);

    expect(await alice.call('add_user_to_chat', { chat_id: chatId })).toEqual({});
    const added = await visitor.waitFor(push('chat_user_added'));
    expect(added.payload).toMatchObject({ user: { id: ALICE.id, name: 'Alice', type: 'agent' }, user_type: 'agent', seq: expect.any(Number) });
    await alice.waitFor(push('chat_user_added', (p) => (p.user as { id: string }).id === ALICE.id));

    await visitor.call('send_sneak_peek', { sneak_peek_text: 'I need help wi' });
    await alice.waitFor(push('incoming_sneak_peek', (p) => (p.sneak_peek as { text: string }).text === 'I need help wi'));
    await alice.waitFor(push('incoming_typing_indicator', (p) => (p.typing_indicator as { is_typing: boolean }).is_typing));
    await visitor.call('send_event', { event: { type: 'message', text: 'I need help with billing', custom_id: 'c2' } });
    const inbound = await alice.waitFor(push('incoming_event', (p) => (p.event as { text: string }).text === 'I need help with billing'));
    expect(inbound.payload).toMatchObject({ chat_id: chatId, event: { author_id: chatId, type: 'message', visibility: 'all' } });

    await alice.call('send_typing_indicator', { chat_id: chatId, is_typing: true });
    const typing = await visitor.waitFor(push('incoming_typing_indicator', (p) => (p.typing_indicator as { author_id: string }).author_id === ALICE.id));
    expect(typing.payload).toMatchObject({ typing_indicator: { author_name: 'Alice', is_typing: true } });
    const sent = await alice.call('send_event', { chat_id: chatId, event: { type: 'message', text: 'Happy to help' } });
    const reply = await visitor.waitFor(push('incoming_event', (p) => (p.event as { author: string }).author === 'agent'));
    expect(reply.payload).toMatchObject({ event: { id: sent.event_id, text: 'Happy to help', author_name: 'Alice', author_id: ALICE.id } });
    // The bot said nothing to the visitor's message while Alice was in the chat.
    expect(visitor.texts('bot')).toEqual(['Hi, I am the bot', 'Connecting you to a person']);

    const chat = await alice.call('get_chat', { chat_id: chatId });
    expect((chat.thread as { events: { text: string }[] }).events.map((e) => e.text)).toEqual([
      'Hi, I am the bot',
      'human',
      'Connecting you to a person',
      'I need help with billing',
      'Happy to help',
    ]);
    expect(chat.users).toEqual([
      expect.objectContaining({ id: chatId, type: 'customer', present: true }),
      { id: ALICE.id, type: 'agent', name: 'Alice', present: true },
    ]);

    await alice.call('mark_events_as_seen', { chat_id: chatId, seen_up_to: new Date().toISOString() });
    await alice.waitFor(push('last_seen_timestamp_updated', (p) => p.user_id === ALICE.id));

    const bob = await agent(s, BOB.key);
    await alice.call('transfer_chat', { chat_id: chatId, target: { type: 'agent', ids: [BOB.id] } });
    const transferred = await bob.waitFor(push('chat_transferred'));
    expect(transferred.payload).toEqual({ chat_id: chatId, requester_id: ALICE.id, type: 'agent', ids: [BOB.id] });
    await bob.waitFor(push('chat_user_removed', (p) => p.user_id === ALICE.id));
    await visitor.waitFor(push('chat_user_removed', (p) => p.user_name === 'Alice'));

    await bob.call('remove_user_from_chat', { chat_id: chatId });
    await bob.waitFor(push('chat_properties_updated', (p) => (p.properties as { routing: { status: string } }).routing.status === 'bot'));
    await visitor.call('send_event', { event: { type: 'message', text: 'anyone?', custom_id: 'c3' } });
    await visitor.waitFor(push('incoming_event', (p) => (p.event as { text: string }).text === 'echo: anyone?'));

    await bob.call('deactivate_chat', { chat_id: chatId });
    const closed = await alice.waitFor(push('thread_closed'));
    expect(closed.payload).toMatchObject({ chat_id: chatId, user_id: BOB.id });
    await visitor.waitFor(push('thread_closed'));
    expect(await bob.request('deactivate_chat', { chat_id: chatId })).toMatchObject({ success: false, error: { type: 'validation' } });

    // A draft left behind when the visitor goes stops showing as typing.
    await visitor.call('send_sneak_peek', { sneak_peek_text: 'one more thi' });
    await alice.waitFor(push('incoming_sneak_peek', (p) => (p.sneak_peek as { text: string }).text === 'one more thi'));
    const mark = alice.frames.length;
    visitor.ws.close();
    await alice.waitFor(push('customer_visit_ended', (p) => p.customer_id === chatId));
    const stopped = await alice.waitFor(
      (f) => alice.frames.indexOf(f) >= mark && push('incoming_typing_indicator', (p) => !(p.typing_indicator as { is_typing: boolean }).is_typing)(f),
    );
    expect(stopped.payload).toMatchObject({ chat_id: chatId, typing_indicator: { author_id: chatId, is_typing: false } });
  });
});

describe('isolation', () => {
  it('an agent of another endpoint finds no chat; a visitor socket cannot send agent actions', async () => {
    const s = await start();
    const visitor = await s.connect();
    const { chat_id: chatId } = (await visitor.call('login', {})) as { chat_id: string };
    const carol = await agent(s, CAROL.key);
    for (const action of ['get_chat', 'add_user_to_chat', 'deactivate_chat']) {
      expect(await carol.request(action, { chat_id: chatId })).toMatchObject({ success: false, error: { type: 'not_found' } });
    }
    expect(await carol.call('list_chats')).toEqual({ chats_summary: [], found_chats: 0 });
    const forged = await visitor.request('add_user_to_chat', { chat_id: chatId });
    expect(forged).toMatchObject({ success: false, error: { type: 'validation', message: "unknown action 'add_user_to_chat'" } });
    // Carol's transfer target must be an agent of the chat's endpoint.
    const alice = await agent(s, ALICE.key);
    expect(await alice.request('transfer_chat', { chat_id: chatId, target: { type: 'agent', ids: [CAROL.id] } })).toMatchObject({
      success: false,
      error: { type: 'not_found' },
    });
  });
});

describe('/metrics', () => {
  it('shows agents online, chats queued and webhook deliveries by result', async () => {
    const s = await start();
    const metric = async (name: string) => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return text.split('\n').find((line) => line.startsWith(name))?.split(' ').at(-1);
    };
    expect(await metric('roundel_agents_online')).toBe('0');
    expect(await metric('roundel_webhook_deliveries_total{result="delivered"}')).toBe('0');
    const alice = await agent(s, ALICE.key);
    expect(await metric('roundel_agents_online')).toBe('1');
    const visitor = await s.connect();
    const { chat_id: chatId } = (await visitor.call('login', {})) as { chat_id: string };
    await visitor.call('send_event', { event: { type: 'message', text: 'human', custom_id: 'c1' } });
    await alice.waitFor(push('chat_properties_updated', (p) => p.chat_id === chatId));
    expect(await metric('roundel_chats_queued')).toBe('1');
    await alice.call('add_user_to_chat', { chat_id: chatId });
    await alice.waitFor(push('chat_user_added'));
    expect(await metric('roundel_chats_queued')).toBe('0');
    alice.ws.close();
    await alice.waitClose();
  });
});

describe('incoming_multicast', () => {
  it('tells the endpoint\'s agents once about an external event sent to everyone', async () => {
    const s = await start();
    const alice = await agent(s, ALICE.key);
    const carol = await agent(s, CAROL.key);
    const visitor = await s.connect();
    await visitor.call('login', {});
    const response = await fetch(`${s.url}/api/v1/events/flash-sale`, {
      method: 'POST',
      headers: { Authorization: 'Bearer test-key-acme', 'Content-Type': 'application/json' },
      body: JSON.stringify({ users: 'everyone', data: { text: 'Huge online sale today!' } }),
    });
    expect(response.status).toBe(202);
    const multicast = await alice.waitFor(push('incoming_multicast'));
    expect(multicast.payload).toEqual({ type: 'flash-sale', content: { text: 'Huge online sale today!' } });
    // Carol's endpoint was not addressed.
    await carol.call('ping');
    expect(carol.frames.some(push('incoming_multicast'))).toBe(false);
  });
});

describe('ending sessions and threads', () => {
  it('a visitor reset closes the thread for agents and gives the chat back to the bot', async () => {
    const s = await start();
    const alice = await agent(s, ALICE.key);
    const visitor = await s.connect();
    const { chat_id: chatId } = (await visitor.call('login', {})) as { chat_id: string };
    await alice.call('add_user_to_chat', { chat_id: chatId });
    await alice.waitFor(push('chat_user_added'));
    await visitor.call('start_chat', {});
    const closed = await alice.waitFor(push('thread_closed'));
    expect(closed.payload).not.toHaveProperty('user_id');
    await alice.waitFor(push('chat_properties_updated', (p) => (p.properties as { routing: { status: string } }).routing.status === 'bot'));
  });

  it('tells agents when the server ends their session', async () => {
    const s = await start();
    const alice = await agent(s, ALICE.key);
    const closing = s.server.close();
    const disconnected = await alice.waitFor(push('agent_disconnected'));
    expect(disconnected.payload).toEqual({ reason: 'agent_disconnected_by_server' });
    expect(await alice.waitClose()).toBe(1001);
    await closing;
  });
});

describe('threads', () => {
  it('after deactivate_chat the visitor comes back to a new thread of the same chat, with the bot', async () => {
    const s = await start();
    const alice = await agent(s, ALICE.key);
    const visitor = await s.connect();
    const first = (await visitor.call('login', {})) as { chat_id: string; token: string };
    const opened = await alice.waitFor(push('incoming_chat_thread'));
    const firstThread = (opened.payload as { chat: { thread: { id: string } } }).chat.thread.id;
    await alice.call('add_user_to_chat', { chat_id: first.chat_id });
    await alice.call('deactivate_chat', { chat_id: first.chat_id });
    const closed = await alice.waitFor(push('thread_closed'));
    expect(closed.payload).toMatchObject({ chat_id: first.chat_id, thread_id: firstThread, user_id: ALICE.id });
    // What the widget does on thread_closed: log in again with its token.
    const again = await s.connect();
    const second = (await again.call('login', { token: first.token })) as { chat_id: string };
    expect(second.chat_id).toBe(first.chat_id);
    const reopened = await alice.waitFor(
      push('incoming_chat_thread', (p) => (p.chat as { thread: { id: string } }).thread.id !== firstThread),
    );
    expect(reopened.payload).toMatchObject({ chat: { id: first.chat_id, properties: { routing: { status: 'bot' } } } });
    const chat = await alice.call('get_chat', { chat_id: first.chat_id });
    expect((chat.thread as { id: string; events: unknown[] }).id).not.toBe(firstThread);
    await again.call('send_event', { event: { type: 'message', text: 'back again', custom_id: 'c9' } });
    await again.waitFor(push('incoming_event', (p) => (p.event as { text: string }).text === 'echo: back again'));
  });
});

describe('limits', () => {
  it('rations an agent\'s requests and caps connections per address, as for visitors', async () => {
    server = await startServer(bot, {
      endpoints: [endpoint(bot, { agents: [ALICE] })],
      messageRateLimit: { burst: 3, perSecond: 0.01 },
      maxConnectionsPerIp: 1,
    });
    const alice = await agent(server, ALICE.key);
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => alice.request('list_chats')));
    expect(answers.filter((a) => a.success === true)).toHaveLength(3);
    expect(answers.filter((a) => a.success === false).map((a) => (a.error as { type: string }).type)).toEqual(['too_many_requests', 'too_many_requests']);
    // ping is never rationed: it keeps a busy console alive.
    expect(await alice.request('ping')).toMatchObject({ success: true });
    expect(await upgradeStatus(agentUrl(server))).toBe(429);
  });
});
