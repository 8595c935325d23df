import { describe, expect, it } from 'vitest';
import type { StoredPush } from '../protocol';
import { FAKE_SETTINGS } from './testing/fake-server';
import { Probe, STORAGE_KEY, setup } from './testing/harness';

/** Latency is 1 ms per hop: 10 ms settles any exchange that involves no timer. */
const SETTLE = 10;

function texts(pushes: readonly StoredPush[]): string[] {
  return pushes.map((push) => {
    switch (push.action) {
      case 'incoming_event':
        return `${push.payload.seq}:${push.payload.event.author}:${push.payload.event.text}`;
      case 'host_notification':
        return `${push.payload.seq}:notify:${push.payload.message}`;
      default:
        return `${push.payload.seq}:${push.action}`;
    }
  });
}

describe('first login', () => {
  it('logs a new visitor in with history and emits the conversation, then live pushes', () => {
    const h = setup();
    const probe = new Probe(h);
    expect(probe.client.state).toBe('idle');
    probe.client.connect();
    probe.client.connect(); // idempotent
    h.clock.advance(SETTLE);

    expect(h.server.connections).toHaveLength(1);
    expect(h.server.logins()).toEqual([{ history: true, context: { page: '/pricing' } }]);
    expect(probe.events.map((e) => e.type)).toEqual(['state', 'conversation', 'state', 'push']);
    expect(probe.of('state')).toEqual(['connecting', 'ready']);
    expect(probe.of('conversation')).toEqual([
      { chatId: 'chat-1', threadId: 'thread-chat-1', settings: FAKE_SETTINGS, history: [], isNewConversation: true },
    ]);
    expect(texts(probe.of('push'))).toEqual(['1:bot:Welcome!']);
    expect(probe.chatId).toBe('chat-1');
    expect(h.storage.json(STORAGE_KEY)).toEqual({ token: 'chat-1.sig', chatId: 'chat-1', lastSeq: 1, outbox: [] });
  });

  it('applies host notifications and multicast-like pushes in seq order', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.notify('chat-1', 'hello host');
    h.server.botSay('chat-1', 'second', ['Yes', 'No']);
    h.clock.advance(SETTLE);
    expect(texts(probe.of('push'))).toEqual(['1:bot:Welcome!', '2:notify:hello host', '3:bot:second']);
    expect(probe.transcript()).toEqual(h.server.chat('chat-1').log);
  });
});

describe('boot order', () => {
  it('opens the socket before its first storage access (the page pays for opening storage during the handshake), then resumes what storage held', () => {
    const h = setup();
    const first = new Probe(h);
    first.client.connect();
    h.clock.advance(SETTLE);
    first.client.destroy();

    const order: string[] = [];
    const storage = {
      getItem: (key: string) => (order.push('storage'), h.storage.getItem(key)),
      setItem: (key: string, value: string) => (order.push('storage'), h.storage.setItem(key, value)),
      removeItem: (key: string) => (order.push('storage'), h.storage.removeItem(key)),
    };
    const Native = h.server.WebSocket;
    const WebSocket = function (url: string) {
      order.push('socket');
      return new Native(url);
    } as unknown as typeof Native;
    const second = new Probe({ ...h, storage }, { WebSocket, lazy: true });
    expect(order).toEqual([]);
    second.client.connect();
    expect(order.slice(0, 2)).toEqual(['socket', 'storage']);
    h.clock.advance(SETTLE);
    expect(h.server.logins().at(-1)).toMatchObject({ token: 'chat-1.sig', last_seq: 1 });
    expect(second.chatId).toBe('chat-1');
  });
});

describe('reload', () => {
  it('resumes with the stored token and last_seq, rebuilds the transcript, then emits only newer pushes', () => {
    const h = setup();
    const first = new Probe(h);
    first.client.connect();
    h.clock.advance(SETTLE);
    first.client.queues!.sendMessage('  hi there  ');
    h.clock.advance(SETTLE);
    expect(texts(first.of('push'))).toEqual(['1:bot:Welcome!', '2:visitor:hi there', '3:bot:echo: hi there']);
    first.client.destroy(); // the page unloads
    h.server.botSay('chat-1', 'while you were away');

    const second = new Probe(h);
    second.client.connect();
    h.clock.advance(SETTLE);
    expect(h.server.logins()[1]).toEqual({ token: 'chat-1.sig', last_seq: 3, history: true, context: { page: '/pricing' } });
    const [conversation] = second.of('conversation');
    expect(conversation?.chatId).toBe('chat-1');
    expect(conversation?.isNewConversation).toBe(true);
    expect(texts(conversation?.history ?? [])).toEqual(['1:bot:Welcome!', '2:visitor:hi there', '3:bot:echo: hi there']);
    expect(texts(second.of('push'))).toEqual(['4:bot:while you were away']);
    expect(second.transcript()).toEqual(h.server.chat('chat-1').log);
    expect(h.server.chats.size).toBe(1);
  });

  it('rebuilds from everything retained when the server cannot recover last_seq', () => {
    const h = setup();
    const first = new Probe(h);
    first.client.connect();
    h.clock.advance(SETTLE);
    first.client.destroy();
    for (const text of ['a', 'b', 'c']) h.server.botSay('chat-1', text);
    h.server.trim('chat-1', 2); // retention dropped seq 1 and 2: last_seq 1 can no longer be served

    const second = new Probe(h);
    second.client.connect();
    h.clock.advance(SETTLE);
    const [conversation] = second.of('conversation');
    expect(texts(conversation?.history ?? [])).toEqual(['3:bot:b', '4:bot:c']);
    expect(second.of('push')).toEqual([]);
    h.server.botSay('chat-1', 'd');
    h.clock.advance(SETTLE);
    expect(texts(second.of('push'))).toEqual(['5:bot:d']);
  });

  it('resetOnLoad ignores the stored outbox and starts a new conversation in the stored chat', () => {
    const h = setup();
    const first = new Probe(h);
    first.client.connect();
    h.clock.advance(SETTLE);
    h.server.refuseConnections = true;
    h.server.dropAll();
    h.clock.advance(SETTLE);
    first.client.queues!.sendMessage('queued in the old conversation');
    first.client.destroy();
    h.server.refuseConnections = false;

    const second = new Probe(h, { resetOnLoad: true });
    expect(second.client.outboxItems).toEqual([]);
    second.client.connect();
    h.clock.advance(SETTLE);
    // The token goes along, so the server opens a new thread in the same chat (its pushbacks still reach us).
    expect(h.server.logins().at(-1)).toEqual({ token: 'chat-1.sig', new_thread: true, history: true, context: { page: '/pricing' } });
    expect(second.of('conversation').map((c) => [c.chatId, c.isNewConversation])).toEqual([['chat-2', true]]);
    expect(h.storage.json(STORAGE_KEY)).toEqual({ token: 'chat-2.sig', chatId: 'chat-2', lastSeq: 1, outbox: [] });
    expect(h.server.chat('chat-1').log.map((push) => push.action)).toEqual(['incoming_event', 'thread_closed']);
  });
});

describe('reconnect', () => {
  it('resumes after a drop without a conversation event; missed pushes arrive once, in order', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.dropAll();
    h.clock.advance(SETTLE);
    expect(probe.client.state).toBe('reconnecting');
    h.server.botSay('chat-1', 'missed 1');
    h.server.botSay('chat-1', 'missed 2');
    h.clock.advance(1_000);

    expect(probe.client.state).toBe('ready');
    expect(probe.of('state')).toEqual(['connecting', 'ready', 'reconnecting', 'connecting', 'ready']);
    expect(probe.of('conversation')).toHaveLength(1);
    expect(h.server.logins()[1]).toEqual({ token: 'chat-1.sig', last_seq: 1, history: false, context: { page: '/pricing' } });
    expect(texts(probe.of('push'))).toEqual(['1:bot:Welcome!', '2:bot:missed 1', '3:bot:missed 2']);
    expect(h.storage.json(STORAGE_KEY)).toMatchObject({ lastSeq: 3 });
  });

  it('drops duplicates and old seqs silently', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.botSay('chat-1', 'two');
    h.clock.advance(SETTLE);
    const [welcome, two] = h.server.chat('chat-1').log;
    h.server.sendFrame(h.server.last, two);
    h.server.sendFrame(h.server.last, welcome);
    h.server.duplicateRate = 1; // every frame from now on arrives twice
    h.server.botSay('chat-1', 'three');
    h.clock.advance(SETTLE);
    expect(texts(probe.of('push'))).toEqual(['1:bot:Welcome!', '2:bot:two', '3:bot:three']);
    expect(probe.of('error')).toEqual([]);
    expect(h.server.connections).toHaveLength(1);
  });

  it('treats a seq gap as a broken stream: closes, resumes from the last applied seq, fills the gap', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    const conn = h.server.last;
    conn.silent = true; // seq 2 is stored but lost on the way
    h.server.botSay('chat-1', 'lost on the wire');
    conn.silent = false;
    h.server.botSay('chat-1', 'arrives first');
    h.clock.advance(1_000);
    expect(conn.socket.closedWith).toEqual({ code: 1000, reason: 'seq gap' });
    expect(h.server.logins()[1]).toMatchObject({ token: 'chat-1.sig', last_seq: 1, history: false });
    expect(texts(probe.of('push'))).toEqual(['1:bot:Welcome!', '2:bot:lost on the wire', '3:bot:arrives first']);
    expect(probe.logs.some((log) => log.level === 'warn' && log.message.startsWith('seq gap: expected 2, got 3'))).toBe(true);
    expect(probe.of('conversation')).toHaveLength(1);
  });

  it('ignores pushes of another chat, and emits typing and settings of its own', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.sendFrame(h.server.last, {
      action: 'incoming_event',
      type: 'push',
      payload: { chat_id: 'someone-else', seq: 2, event: { id: 'x', type: 'message', author: 'bot', text: 'no', created_at: 'now' } },
    });
    h.server.typing('chat-1', true, { id: 'alice@example.com', name: 'Alice' });
    h.server.typing('chat-1', false, { id: 'alice@example.com', name: 'Alice' });
    h.server.typing('chat-1', true);
    h.server.sendFrame(h.server.last, {
      action: 'chat_properties_updated',
      type: 'push',
      payload: { chat_id: 'chat-1', properties: { title: 'New title', theme: {} } },
    });
    h.clock.advance(SETTLE);
    expect(texts(probe.of('push'))).toEqual(['1:bot:Welcome!']);
    // The bot's typing is `true`; an agent's carries the agent's name.
    expect(probe.of('typing')).toEqual(['Alice', false, true]);
    expect(probe.of('settings')).toEqual([{ title: 'New title', theme: {} }]);
    h.server.dropAll();
    h.clock.advance(SETTLE);
    expect(probe.of('typing')).toEqual(['Alice', false, true, false]); // a dead socket will not say "stopped typing"
  });
});

describe('conversation end and new chats', () => {
  it('after thread_closed of the current chat, logs in again and loads the new conversation', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.closeChat('chat-1');
    h.clock.advance(1_000);

    expect(texts(probe.of('push'))).toEqual(['1:bot:Welcome!', '2:thread_closed', '1:bot:Welcome!']);
    // The stored token is the closed one: no last_seq, history asked, the server opens a new chat.
    expect(h.server.logins()[1]).toEqual({ token: 'chat-1.sig', history: true, context: { page: '/pricing' } });
    expect(probe.of('conversation').map((c) => [c.chatId, c.isNewConversation, c.history.length])).toEqual([
      ['chat-1', true, 0],
      ['chat-2', true, 0],
    ]);
    expect(probe.chatId).toBe('chat-2');
    expect(h.storage.json(STORAGE_KEY)).toMatchObject({ token: 'chat-2.sig', chatId: 'chat-2', lastSeq: 1 });
  });

  it('a reset in one tab moves the other tab (same storage) to the new chat', async () => {
    const h = setup();
    const tabA = new Probe(h);
    tabA.client.connect();
    h.clock.advance(SETTLE);
    const tabB = new Probe(h); // opened later: reads tab A's session
    tabB.client.connect();
    h.clock.advance(SETTLE);
    expect(tabB.of('conversation').map((c) => c.chatId)).toEqual(['chat-1']);

    const reset = tabA.client.startNewChat();
    h.clock.advance(1_000);
    await expect(reset).resolves.toBeUndefined();

    expect(tabA.of('conversation').map((c) => [c.chatId, c.isNewConversation])).toEqual([
      ['chat-1', true],
      ['chat-2', true],
    ]);
    expect(tabB.of('conversation').map((c) => [c.chatId, c.isNewConversation])).toEqual([
      ['chat-1', true],
      ['chat-2', true],
    ]);
    expect(texts(tabB.of('push'))).toEqual(['2:thread_closed']);
    expect(h.server.logins().at(-1)).toEqual({ token: 'chat-2.sig', last_seq: 1, history: true, context: { page: '/pricing' } });
    expect(texts(tabB.transcript())).toEqual(['1:bot:Welcome!']);
    expect(h.server.chats.size).toBe(2);
    h.server.botSay('chat-2', 'both see this');
    h.clock.advance(SETTLE);
    expect(tabA.transcript()).toEqual(h.server.chat('chat-2').log);
    expect(tabB.transcript()).toEqual(h.server.chat('chat-2').log);
  });

  it('a tab that was offline during a reset in another tab follows it on reconnect', async () => {
    const h = setup();
    const tabA = new Probe(h);
    tabA.client.connect();
    h.clock.advance(SETTLE);
    const tabB = new Probe(h);
    tabB.client.connect();
    h.clock.advance(SETTLE);
    h.server.refuseConnections = true;
    h.server.drop(h.server.last); // tab B's socket: it will miss thread_closed
    h.clock.advance(SETTLE);
    const reset = tabA.client.startNewChat();
    h.clock.advance(SETTLE);
    await reset;
    h.server.refuseConnections = false;
    h.clock.advanceUntil(() => tabB.client.state === 'ready');

    expect(h.server.logins().at(-1)).toEqual({ token: 'chat-2.sig', last_seq: 1, history: true, context: { page: '/pricing' } });
    expect(tabB.of('conversation').map((c) => [c.chatId, c.isNewConversation])).toEqual([
      ['chat-1', true],
      ['chat-2', true],
    ]);
    expect(tabB.transcript()).toEqual(h.server.chat('chat-2').log);
    expect(h.server.chats.size).toBe(2);
  });

  it('startNewChat while offline makes the next login ask for a new thread', async () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.refuseConnections = true;
    h.server.dropAll();
    h.clock.advance(SETTLE);
    const reset = probe.client.startNewChat();
    h.server.refuseConnections = false;
    h.clock.advanceUntil(() => probe.client.state === 'ready');
    await expect(reset).resolves.toBeUndefined();
    expect(h.server.logins().at(-1)).toEqual({ token: 'chat-1.sig', new_thread: true, history: true, context: { page: '/pricing' } });
    expect(probe.of('conversation').map((c) => [c.chatId, c.isNewConversation])).toEqual([
      ['chat-1', true],
      ['chat-2', true],
    ]);
  });

  it('updateContext waits for the login when offline, then resolves on the answer', async () => {
    const h = setup();
    const probe = new Probe(h);
    const first = probe.client.updateContext({ plan: 'basic' });
    const second = probe.client.updateContext({ plan: 'pro' });
    probe.client.connect();
    h.clock.advance(SETTLE);
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    const updates = h.server.handled.filter((x) => x.request.action === 'update_context').map((x) => x.request.payload);
    expect(updates).toEqual([{ context: { plan: 'pro' } }]); // the newest wins, sent once
    expect(h.server.chat('chat-1').context).toEqual({ plan: 'pro' });
    expect(() => probe.client.updateContext([] as never)).toThrow(TypeError);
  });
});
