import { describe, expect, it } from 'vitest';
import type { StoredPush } from '../protocol';
import { CLIENT_DEFAULTS } from './chat-client';
import { MemoryStorage, ThrowingStorage } from './testing/memory-storage';
import { Probe, STORAGE_KEY, setup } from './testing/harness';
import { FakeClock } from './testing/fake-clock';
import { FakeServer } from './testing/fake-server';

const SETTLE = 10;

/** Delays between each `reconnecting` and the following `connecting`, from the recorded event times. */
function retryDelays(probe: Probe): number[] {
  const delays: number[] = [];
  let since: number | undefined;
  for (const recorded of probe.events) {
    if (recorded.type !== 'state') continue;
    if (recorded.event === 'reconnecting') since = recorded.at;
    if (recorded.event === 'connecting' && since !== undefined) {
      delays.push(recorded.at - since);
      since = undefined;
    }
  }
  return delays;
}

describe('hostile storage', () => {
  it('works in memory when every storage call throws, and reports it once', () => {
    const clock = new FakeClock();
    const server = new FakeServer(clock);
    const storage = new ThrowingStorage();
    const probe = new Probe({ clock, server, storage });
    probe.client.connect();
    clock.advance(SETTLE);
    const item = probe.client.queues!.sendMessage('still works');
    clock.advance(SETTLE);
    server.dropAll();
    clock.advance(1_000);

    expect(probe.client.state).toBe('ready');
    expect(probe.of('conversation').map((c) => c.chatId)).toEqual(['chat-1']);
    expect(server.countCustomId('send_event', item.customId)).toBe(1);
    expect(probe.seqs()).toEqual([1, 2, 3]);
    // In memory, the reconnect still resumes from the right seq with the right token.
    expect(server.logins()[1]).toMatchObject({ token: 'chat-1.sig', last_seq: 3, history: false });
    expect(storage.calls).toBeGreaterThan(3);
    expect(probe.of('error')).toEqual([{ type: 'internal', message: 'storage unreadable' }]);
  });

  it.each([
    ['not JSON', '{"token": "chat-1.sig", '],
    ['not an object', '[1, 2, 3]'],
  ])('starts fresh when the stored session is %s, and reports it once', (_name, garbage) => {
    const h = setup();
    h.storage.setItem(STORAGE_KEY, garbage);
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    expect(h.server.logins()).toEqual([{ history: true, context: { page: '/pricing' } }]);
    expect(probe.client.state).toBe('ready');
    expect(probe.of('error')).toHaveLength(1);
    expect(probe.of('error')[0]?.type).toBe('internal');
    expect(h.storage.json(STORAGE_KEY)).toEqual({ token: 'chat-1.sig', chatId: 'chat-1', lastSeq: 1, outbox: [] });
  });

  it('does not mistake its own stale session for another tab\'s when writes start failing', async () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.storage.failWrites = true; // quota full: chat-1 stays stored
    const reset = probe.client.startNewChat();
    h.clock.advance(SETTLE);
    await reset;
    h.server.dropAll();
    h.clock.advance(1_000);
    expect(probe.client.state).toBe('ready');
    expect(probe.chatId).toBe('chat-2');
    expect(h.server.logins().at(-1)).toMatchObject({ token: 'chat-2.sig', history: false });
    expect(probe.of('error')).toEqual([{ type: 'internal', message: 'storage unwritable' }]);
  });

  it('keeps the valid parts of a tampered session', () => {
    const h = setup();
    const good = { kind: 'message', customId: 'c-1', text: 'kept', createdAt: '2024-01-01T00:00:00.000Z' };
    h.storage.setItem(
      STORAGE_KEY,
      JSON.stringify({ token: 42, chatId: 'chat-9', lastSeq: -1, outbox: [{ kind: 'evil' }, good, 'x', { ...good, text: '' }] }),
    );
    const probe = new Probe(h);
    expect(probe.client.outboxItems).toEqual([good]);
    probe.client.connect();
    h.clock.advance(SETTLE * 3);
    expect(h.server.logins()[0]).toEqual({ history: true, context: { page: '/pricing' } });
    expect(h.server.countCustomId('send_event', 'c-1')).toBe(1);
    expect(probe.of('error')).toEqual([]);
  });
});

describe('bad frames', () => {
  it('drops malformed frames without throwing and keeps working', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    const conn = h.server.last;
    const bad: unknown[] = [
      'not json at all',
      '{}',
      '[]',
      'null',
      JSON.stringify({ action: 'incoming_event', type: 'push', payload: { chat_id: 'chat-1', seq: 'two' } }),
      JSON.stringify({ action: 'incoming_event', type: 'push', payload: { chat_id: 'chat-1', seq: 2, event: { text: 5 } } }),
      JSON.stringify({ action: 'mystery', type: 'push', payload: { chat_id: 'chat-1' } }),
      JSON.stringify({ request_id: 'r1', action: 'login', type: 'response', success: true, payload: 'nope' }),
      JSON.stringify({ request_id: 'r1', action: 'login', type: 'response', success: false, error: { type: 'weird' } }),
      new Uint8Array([1, 2, 3]),
    ];
    for (const frame of bad) h.server.sendRaw(conn, frame);
    // Well-formed but unexpected: a response to nothing we asked.
    h.server.sendFrame(conn, { request_id: 'r999', action: 'ping', type: 'response', success: true, payload: {} });
    h.clock.advance(SETTLE);
    expect(probe.of('error')).toHaveLength(bad.length);
    expect(probe.of('error').every((e) => e.type === 'validation')).toBe(true);
    expect(probe.client.state).toBe('ready');
    expect(h.server.connections).toHaveLength(1);

    h.server.botSay('chat-1', 'still here');
    h.clock.advance(SETTLE);
    expect(probe.seqs()).toEqual([1, 2]);
  });

  it('a handler that throws does not stop other handlers or the client', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.on('push', () => {
      throw new Error('host bug');
    });
    const seen: number[] = [];
    probe.client.on('push', (push) => seen.push(push.payload.seq));
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.botSay('chat-1', 'two');
    h.clock.advance(SETTLE);
    expect(seen).toEqual([1, 2]);
    expect(probe.logs.filter((l) => l.level === 'error' && l.message === "a 'push' handler threw")).toHaveLength(2);
  });

  it('off() and the function on() returns unsubscribe', () => {
    const h = setup();
    const probe = new Probe(h);
    const viaOff: string[] = [];
    const viaReturn: string[] = [];
    const handler = (state: string) => viaOff.push(state);
    probe.client.on('state', handler);
    const unsubscribe = probe.client.on('state', (state) => viaReturn.push(state));
    probe.client.connect();
    probe.client.off('state', handler);
    unsubscribe();
    h.clock.advance(SETTLE);
    expect(viaOff).toEqual(['connecting']);
    expect(viaReturn).toEqual(['connecting']);
  });
});

describe('backoff', () => {
  it('grows the jittered ceiling 0.5 s, 1 s, 2 s … up to 20 s, never below 0.25 s, and resets after a login', () => {
    const h = setup();
    h.clock.randomSource = () => 0.5;
    h.server.refuseConnections = true;
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(60_000);
    expect(retryDelays(probe)).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);

    h.clock.randomSource = () => 0;
    h.clock.advance(10_000);
    // The retry already scheduled keeps its delay; the next ones sit on the floor, min / 2.
    expect(retryDelays(probe).slice(10, 13)).toEqual([10_000, 250, 250]);

    h.clock.randomSource = () => 0.5;
    h.server.refuseConnections = false;
    h.clock.advanceUntil(() => probe.client.state === 'ready');
    probe.events.length = 0;
    h.server.dropAll();
    h.clock.advance(1_000);
    expect(retryDelays(probe)).toEqual([250]); // attempt 0 again
    expect(probe.client.state).toBe('ready');
  });

  it('keeps every delay within [min/2, min(max, min * 2^attempt)] with real jitter', () => {
    const h = setup(7);
    h.server.refuseConnections = true;
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(600_000);
    const delays = retryDelays(probe);
    expect(delays.length).toBeGreaterThan(30);
    delays.forEach((delay, attempt) => {
      expect(delay).toBeGreaterThanOrEqual(CLIENT_DEFAULTS.minReconnectDelayMs / 2);
      expect(delay).toBeLessThanOrEqual(Math.min(CLIENT_DEFAULTS.maxReconnectDelayMs, 500 * 2 ** attempt));
    });
  });

  it('backs off, instead of resetting at each login, when the server keeps sending gaps', () => {
    const h = setup();
    h.clock.randomSource = () => 0.5;
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    const log = h.server.chat('chat-1').log;
    const skipping = (): StoredPush => ({ action: 'host_notification', type: 'push', payload: { chat_id: 'chat-1', seq: log.length + 2, message: 'skips one' } });
    // From now on every login is followed by a push that skips a seq.
    h.server.fault = (request, connection) => {
      if (request.action === 'login') h.clock.setTimeout(() => h.server.sendFrame(connection, skipping()), 5);
      return undefined;
    };
    h.server.sendFrame(h.server.last, skipping());
    h.clock.advance(20_000);
    expect(retryDelays(probe).slice(0, 5)).toEqual([250, 500, 1000, 2000, 4000]);
    expect(probe.seqs()).toEqual([1]);
  });

  it('onOnline retries at once instead of waiting out the delay', () => {
    const h = setup();
    h.clock.randomSource = () => 0.99;
    h.server.refuseConnections = true;
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(20_000);
    const before = h.server.connections.length;
    h.server.refuseConnections = false;
    probe.client.onOnline();
    expect(h.server.connections).toHaveLength(before + 1);
    h.clock.advance(SETTLE);
    expect(probe.client.state).toBe('ready');
    probe.client.onOnline(); // nothing scheduled: no second socket
    expect(h.server.connections).toHaveLength(before + 1);
  });

  it('onOffline drops the socket at once and reconnects later', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    probe.client.onOffline();
    expect(probe.client.state).toBe('reconnecting');
    expect(h.server.connections[0]?.socket.closedWith).toEqual({ code: 1000, reason: 'browser offline' });
    h.clock.advance(1_000);
    expect(probe.client.state).toBe('ready');
  });

  it('does not reconnect after a policy close (1008) and says why', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.drop(h.server.last, 1008, 'origin not allowed');
    h.clock.advance(120_000);
    expect(h.server.connections).toHaveLength(1);
    expect(probe.client.state).toBe('closed');
    expect(probe.of('error')).toEqual([
      { type: 'authentication', message: 'refused for good (1008: origin not allowed)' },
    ]);
    expect(h.clock.pending).toBe(0);
  });

  it('retries a login that gets no answer', () => {
    const h = setup();
    let silent = 1;
    h.server.fault = (request) => (request.action === 'login' && silent-- > 0 ? 'ignore' : undefined);
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(CLIENT_DEFAULTS.requestTimeoutMs + 1_000);
    expect(h.server.connections).toHaveLength(2);
    expect(h.server.connections[0]?.socket.closedWith?.reason).toBe('login failed (request_timeout)');
    expect(probe.client.state).toBe('ready');
    expect(probe.of('conversation')).toHaveLength(1);
  });
});

describe('heartbeat', () => {
  it('pings every pingIntervalMs while ready and stays up while the server answers', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(120_000);
    expect(h.server.connections).toHaveLength(1);
    const pings = h.server.last.socket.requests().filter((r) => r.action === 'ping');
    expect(pings).toHaveLength(Math.floor((120_000 - 3) / CLIENT_DEFAULTS.pingIntervalMs));
    expect(probe.of('state')).toEqual(['connecting', 'ready']);
  });

  it('closes a silent (half-open) socket deadPeerMs after the last frame and reconnects', () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    const lastFrameAt = probe.events.filter((e) => e.type === 'push').at(-1)?.at ?? NaN;
    const conn = h.server.last;
    h.server.silence(conn);
    h.clock.advance(60_000);

    const reconnecting = probe.events.find((e) => e.type === 'state' && e.event === 'reconnecting');
    expect(reconnecting?.at).toBe(lastFrameAt + CLIENT_DEFAULTS.deadPeerMs);
    expect(conn.socket.closedWith).toEqual({ code: 4002, reason: 'no frame from the server' });
    expect(conn.socket.requests().filter((r) => r.action === 'ping')).toHaveLength(2); // at 15 s and 30 s, unanswered
    expect(probe.client.state).toBe('ready');
    expect(h.server.logins()[1]).toMatchObject({ token: 'chat-1.sig', last_seq: 1, history: false });
  });

  it('gives up on a socket that never opens after deadPeerMs', () => {
    const h = setup();
    const probe = new Probe(h);
    h.server.latency = () => 1_000_000; // the open event never comes in time
    probe.client.connect();
    h.clock.advance(CLIENT_DEFAULTS.deadPeerMs);
    expect(probe.client.state).toBe('reconnecting');
  });
});

describe('destroy', () => {
  it('closes with 1000, clears every timer, rejects what is pending, and nothing fires after', async () => {
    const h = setup();
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    h.server.fault = () => 'ignore';
    const pageEvent = probe.client.pageEvent('never-answered');
    const context = probe.client.updateContext({ a: 1 });
    const reset = probe.client.startNewChat();
    h.clock.advance(SETTLE);
    const recorded = probe.events.length;

    probe.client.destroy();
    probe.client.destroy(); // idempotent
    expect(probe.client.state).toBe('closed');
    expect(h.server.last.socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    const destroyed = { type: 'internal', message: 'the chat client was destroyed' };
    await expect(pageEvent).rejects.toEqual(destroyed);
    await expect(context).rejects.toEqual(destroyed);
    await expect(reset).rejects.toEqual(destroyed);

    h.server.botSay('chat-1', 'too late');
    h.server.dropAll();
    h.clock.advance(120_000);
    expect(h.clock.pending).toBe(0);
    expect(probe.events).toHaveLength(recorded);
    probe.client.connect();
    h.clock.advance(SETTLE);
    expect(h.server.connections).toHaveLength(1);
    expect(probe.client.queues).toBeUndefined();
    await expect(probe.client.pageEvent('after')).rejects.toEqual(destroyed);
  });

  it('clears a scheduled reconnect', () => {
    const h = setup();
    h.server.refuseConnections = true;
    const probe = new Probe(h);
    probe.client.connect();
    h.clock.advance(SETTLE);
    expect(probe.client.state).toBe('reconnecting');
    probe.client.destroy();
    expect(h.clock.pending).toBe(0);
  });

  it('stores the outbox so the next page sends it', () => {
    const h = setup();
    const storage = new MemoryStorage();
    const probe = new Probe({ ...h, storage });
    const item = probe.client.queues!.sendMessage('not yet sent');
    probe.client.destroy();
    expect((storage.json(STORAGE_KEY) as { outbox: unknown[] }).outbox).toEqual([item]);
  });
});
