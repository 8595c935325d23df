import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { StoredPush } from '../../protocol';
import type { App } from '../app';
import { Hub } from '../chat/hub';
import { notificationPush } from '../chat/pushes';
import type { Endpoint } from '../endpoints';
import { silentLogger } from '../logger';
import type { Store } from '../store/types';
import { Session } from './session';

const push = (seq: number): StoredPush => notificationPush('d1', `n${seq}`)(seq, 't');

/** A socket that records what is sent, and a store whose log the test controls. */
function setup(log: StoredPush[]) {
  const sent: number[] = [];
  const closes: number[] = [];
  const reads: Array<{ after: number; resolve: () => void }> = [];
  const ws = {
    OPEN: 1,
    CLOSED: 3,
    readyState: 1,
    bufferedAmount: 0,
    send(data: string) {
      sent.push((JSON.parse(data) as StoredPush).payload.seq);
    },
    close(code: number) {
      closes.push(code);
    },
    terminate() {},
  };
  const store = {
    // Each read waits until the test releases it, to interleave live pushes with the read.
    readLog: (_id: string, { after }: { after: number }) =>
      new Promise<StoredPush[]>((resolve) => {
        reads.push({ after, resolve: () => resolve(log.filter((p) => p.payload.seq > after)) });
      }),
  };
  const metrics = { pushesSent: { of: () => ({ inc() {} }) } };
  const app = { hub: new Hub(), store: store as unknown as Store, logger: silentLogger, metrics } as unknown as App;
  const options = {
    loginTimeoutMs: 60_000,
    rateLimit: { burst: 1, perSecond: 1 },
    maxBufferedBytes: 100,
    slowConsumerMs: 20,
    maxQueued: 4,
    controlRateLimit: { burst: 1, perSecond: 1 },
    closeGraceMs: 1000,
  };
  const session = new Session(ws as unknown as WebSocket, {} as Endpoint, app, options);
  return { session, sent, reads, closes, ws, hub: app.hub };
}

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

describe('Session delivery', () => {
  it('closes with 4003 at once when the outbound buffer passes 4x its limit, and terminates after the close grace', () => {
    vi.useFakeTimers();
    try {
      const { session, ws, closes, hub } = setup([]);
      let terminated = 0;
      ws.terminate = () => {
        terminated += 1;
      };
      dispose = () => session.dispose();
      session.bind('d1');
      session.goLive(0, []);
      ws.bufferedAmount = 401;
      hub.publish('d1', push(1));
      expect(closes).toEqual([4003]);
      hub.publish('d1', push(2)); // closed: nothing more is queued
      expect(closes).toEqual([4003]);
      vi.advanceTimersByTime(999);
      expect(terminated).toBe(0);
      vi.advanceTimersByTime(1);
      expect(terminated).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('buffers live pushes during a login and sends each seq once, in order', () => {
    const { session, sent, hub } = setup([]);
    dispose = () => session.dispose();
    session.bind('d1');
    hub.publish('d1', push(4));
    hub.publish('d1', push(3));
    session.goLive(1, [push(2), push(3)]);
    expect(sent).toEqual([2, 3, 4]);
    hub.publish('d1', push(4));
    hub.publish('d1', push(5));
    hub.publish('d2', push(6));
    expect(sent).toEqual([2, 3, 4, 5]);
  });

  it('fills a gap from the store, then continues with what arrived meanwhile', async () => {
    const log = [push(1), push(2), push(3)];
    const { session, sent, reads, hub } = setup(log);
    dispose = () => session.dispose();
    session.bind('d1');
    session.goLive(0, []);
    hub.publish('d1', push(3)); // 1 and 2 were published before this tab subscribed
    expect(sent).toEqual([]);
    hub.publish('d1', push(4));
    expect(reads.map((r) => r.after)).toEqual([0]);
    log.push(push(4));
    reads[0]?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([1, 2, 3, 4]);
    hub.publish('d1', push(5));
    expect(sent).toEqual([1, 2, 3, 4, 5]);
  });

  it('stops delivering after dispose', () => {
    const { session, sent, hub } = setup([]);
    session.bind('d1');
    session.goLive(0, []);
    session.dispose();
    hub.publish('d1', push(1));
    expect(sent).toEqual([]);
    expect(hub.count('d1')).toBe(0);
  });

  it('closes with 4003 only when the outbound buffer stays over its limit', () => {
    vi.useFakeTimers();
    try {
      const { session, ws, closes, hub } = setup([]);
      dispose = () => session.dispose();
      session.bind('d1');
      session.goLive(0, []);
      ws.bufferedAmount = 300; // a burst: drains before the grace period ends
      hub.publish('d1', push(1));
      ws.bufferedAmount = 0;
      vi.advanceTimersByTime(25);
      expect(closes).toEqual([]);
      ws.bufferedAmount = 300; // a reader that stopped reading
      hub.publish('d1', push(2));
      vi.advanceTimersByTime(25);
      expect(closes).toEqual([4003]);
    } finally {
      vi.useRealTimers();
    }
  });
});
