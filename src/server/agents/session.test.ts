/** The agent's socket shares the visitors' connection policy (ws/connection.ts): checked here on an AgentSession. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { AgentPush } from '../../protocol';
import { silentLogger } from '../logger';
import type { AgentDirectory } from './directory';
import type { AgentPresence } from './presence';
import type { AgentService } from './service';
import { AgentSession } from './session';

const push: AgentPush = { action: 'incoming_multicast', type: 'push', payload: { type: 'news', content: { text: 'x' } } };

function setup() {
  const closes: number[] = [];
  const sent: string[] = [];
  let terminated = 0;
  const ws = {
    OPEN: 1,
    CLOSED: 3,
    readyState: 1,
    bufferedAmount: 0,
    send: (text: string) => sent.push(text),
    close: (code: number) => closes.push(code),
    terminate: () => (terminated += 1),
  };
  const presence = { add() {}, remove() {} } as unknown as AgentPresence;
  const deps = { organization: 'acme', directory: {} as AgentDirectory, presence, service: {} as AgentService, logger: silentLogger };
  const options = {
    loginTimeoutMs: 60_000,
    rateLimit: { burst: 5, perSecond: 5 },
    loginRateLimit: { burst: 5, perSecond: 5 },
    maxBufferedBytes: 100,
    slowConsumerMs: 20,
    maxQueued: 4,
    closeGraceMs: 1000,
  };
  const session = new AgentSession(ws as unknown as WebSocket, deps, options);
  return { session, ws, closes, sent, terminated: () => terminated };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AgentSession connection policy', () => {
  it('lets a burst over the buffer limit drain, closes 4003 when it stays over, and terminates after the close grace', () => {
    vi.useFakeTimers();
    const { session, ws, closes, terminated } = setup();
    ws.bufferedAmount = 300;
    session.push(push);
    ws.bufferedAmount = 0;
    vi.advanceTimersByTime(25);
    expect(closes).toEqual([]);
    ws.bufferedAmount = 300;
    session.push(push);
    vi.advanceTimersByTime(25);
    expect(closes).toEqual([4003]);
    vi.advanceTimersByTime(1000);
    expect(terminated()).toBe(1);
    session.dispose();
  });

  it('closes 4003 at once past 4x the limit, and sends nothing after', () => {
    const { session, ws, closes, sent } = setup();
    ws.bufferedAmount = 401;
    session.push(push);
    expect(closes).toEqual([4003]);
    session.push(push);
    expect(sent).toHaveLength(1);
  });

  it('closes 4001 when no login came in time', () => {
    vi.useFakeTimers();
    const { closes } = setup();
    vi.advanceTimersByTime(60_000);
    expect(closes).toEqual([4001]);
  });

  it('answers a bad frame with a validation error that echoes what it could read', () => {
    const { session, sent } = setup();
    session.onFrame(Buffer.from(JSON.stringify({ request_id: 'r1', action: 'start_chat', payload: {} })), false);
    expect(JSON.parse(sent[0] ?? '')).toEqual({
      request_id: 'r1',
      action: 'start_chat',
      type: 'response',
      success: false,
      error: { type: 'validation', message: "unknown action 'start_chat'" },
    });
    session.dispose();
  });
});
