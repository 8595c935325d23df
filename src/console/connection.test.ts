import { describe, expect, it } from 'vitest';
import { FakeClock } from '../client/testing/fake-clock';
import type { WebSocketLike } from '../client';
import { AgentConnection, type AgentConnectionState } from './connection';

/** A scripted socket: the test opens it, answers its requests and drops it. */
class Socket implements WebSocketLike {
  static all: Socket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: { request_id: string; action: string; payload: Record<string, unknown> }[] = [];
  constructor(readonly url: string) {
    Socket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  answer(index: number, body: { payload?: unknown; error?: unknown }) {
    const request = this.sent[index]!;
    const frame = body.error
      ? { request_id: request.request_id, action: request.action, type: 'response', success: false, error: body.error }
      : { request_id: request.request_id, action: request.action, type: 'response', success: true, payload: body.payload };
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: 'gone' });
  }
}

/** Lets the promise callbacks queued by a response run (they settle in microtasks). */
const settled = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

const loginPayload = { agent: { id: 'alice', name: 'Alice' }, chats: [] };

function setup() {
  Socket.all = [];
  const clock = new FakeClock();
  const connection = new AgentConnection({ url: 'ws://x/agent/rtm?organization=acme', key: 'k', WebSocket: Socket, clock });
  const states: AgentConnectionState[] = [];
  const logins: unknown[] = [];
  connection.events.on('state', (state) => states.push(state));
  connection.events.on('login', (login) => logins.push(login));
  return { clock, connection, states, logins };
}

describe('AgentConnection', () => {
  it('logs in with the key on every (re)connect, with backoff between attempts', async () => {
    const { clock, connection, states, logins } = setup();
    connection.connect();
    Socket.all[0]!.open();
    expect(Socket.all[0]!.sent[0]).toMatchObject({ action: 'login', payload: { token: 'k' } });
    Socket.all[0]!.answer(0, { payload: loginPayload });
    await settled();
    expect(connection.state).toBe('ready');
    Socket.all[0]!.drop();
    expect(connection.state).toBe('reconnecting');
    clock.advanceUntil(() => Socket.all.length === 2);
    Socket.all[1]!.open();
    Socket.all[1]!.answer(0, { payload: loginPayload });
    await settled();
    expect(states).toEqual(['connecting', 'ready', 'reconnecting', 'ready']);
    expect(logins).toHaveLength(2);
    connection.destroy();
  });

  it('stops for good on a wrong key', async () => {
    const { clock, connection, states } = setup();
    connection.connect();
    Socket.all[0]!.open();
    Socket.all[0]!.answer(0, { error: { type: 'authentication', message: 'wrong agent key' } });
    await settled();
    Socket.all[0]!.drop();
    clock.advance(60_000);
    expect(Socket.all).toHaveLength(1);
    expect(states.at(-1)).toBe('refused');
  });

  it('answers requests with their payload and fails them when the socket goes', async () => {
    const { connection } = setup();
    connection.connect();
    Socket.all[0]!.open();
    Socket.all[0]!.answer(0, { payload: loginPayload });
    await settled();
    const chat = connection.request('get_chat', { chat_id: 'c1' });
    Socket.all[0]!.answer(1, { payload: { id: 'c1' } });
    await expect(chat).resolves.toEqual({ id: 'c1' });
    const lost = connection.request('list_chats', {});
    Socket.all[0]!.drop();
    await expect(lost).rejects.toMatchObject({ type: 'internal' });
    connection.destroy();
  });
});
