/** The Redis bus against a real redis-server: delivery, subscriptions, and a Redis restart. */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { useRedis } from '../test/services';
import { createRedisBus } from './redis';
import type { Bus } from './types';

const redis = useRedis();
const buses: Bus[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

function bus(): Bus {
  const created = createRedisBus(redis().url, { logger: silentLogger, maxReconnectMs: 100 });
  buses.push(created);
  return created;
}

/** Resolves with the next message of `topic` on `on`. */
function nextMessage(on: Bus, topic: string): Promise<unknown> {
  return new Promise((resolve) => {
    const handler = (message: unknown) => {
      on.unsubscribe(topic, handler);
      resolve(message);
    };
    void on.subscribe(topic, handler);
  });
}

async function connected(on: Bus): Promise<void> {
  // ioredis reports readiness by events; polling the state each turn keeps the test free of sleeps.
  while (!on.connected()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('Redis bus', () => {
  it('delivers a message to every node subscribed to its topic, and only to them', async () => {
    const [a, b, c] = [bus(), bus(), bus()];
    await Promise.all([connected(a), connected(b), connected(c)]);
    const received: unknown[] = [];
    await c.subscribe('other', (message) => received.push(message));
    const onB = nextMessage(b, 't1');
    const onA = nextMessage(a, 't1');
    // Subscribing resolves once Redis confirmed it: wait for both before publishing.
    await Promise.all([b.subscribe('t1', () => {}), a.subscribe('t1', () => {})]);
    expect(await a.publish('t1', { hello: 'world', n: 1 })).toBe(true);
    expect(await onB).toEqual({ hello: 'world', n: 1 });
    expect(await onA).toEqual({ hello: 'world', n: 1 });
    // A message on c's topic proves c's connection works, and that 't1' never reached it.
    const onC = nextMessage(c, 'other');
    await a.publish('other', 'marker');
    await onC;
    expect(received).toEqual(['marker']);
  });

  it('reports lost messages while Redis is down, and resyncs and resubscribes when it is back', async () => {
    const [a, b] = [bus(), bus()];
    await Promise.all([connected(a), connected(b)]);
    const seen: unknown[] = [];
    await b.subscribe('t2', (message) => seen.push(message));
    const resynced = new Promise<void>((resolve) => b.onResync(resolve));

    await redis().stop();
    expect(await a.publish('t2', 'lost')).toBe(false);
    await redis().start();
    await resynced;
    await connected(a);

    const next = nextMessage(b, 't2');
    expect(await a.publish('t2', 'after restart')).toBe(true);
    await next;
    expect(seen).toEqual(['after restart']);
  });

  it('publishes nothing after close', async () => {
    const a = bus();
    await connected(a);
    await a.close();
    expect(await a.publish('t3', 'x')).toBe(false);
    expect(a.connected()).toBe(false);
  });
});
