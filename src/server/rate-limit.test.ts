import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyedLimiter, TokenBucket, windowOf } from './rate-limit';
import { useRedis } from './test/services';

describe('TokenBucket (per websocket connection)', () => {
  it('allows a burst, then refills at the rate and says how long to wait', () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 10 }, 0);
    expect([bucket.take(0), bucket.take(0)]).toEqual([0, 0]);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(50)).toBe(50);
    expect(bucket.take(100)).toBe(0);
  });
});

describe('windowOf', () => {
  it('turns burst/perSecond into burst points per whole-second window', () => {
    expect(windowOf({ burst: 200, perSecond: 100 })).toEqual({ points: 200, duration: 2 });
    expect(windowOf({ burst: 100, perSecond: 20 })).toEqual({ points: 100, duration: 5 });
    expect(windowOf({ burst: 1, perSecond: 10 })).toEqual({ points: 1, duration: 1 });
  });
});

describe('createKeyedLimiter in memory', () => {
  it('limits each key on its own and says how long to wait', async () => {
    const limiter = createKeyedLimiter({ burst: 2, perSecond: 1 }, { prefix: 'test-memory' });
    expect([await limiter.take('a'), await limiter.take('a')]).toEqual([0, 0]);
    const wait = await limiter.take('a');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(2000);
    expect(await limiter.take('b')).toBe(0);
  });
});

describe('createKeyedLimiter in Redis (shared by every node)', () => {
  const redis = useRedis();
  const clients: Redis[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  /** A connected client (before it is ready, limits count in memory: the insurance limiter). */
  const client = async () => {
    const created = new Redis(redis().url, { maxRetriesPerRequest: 1 });
    clients.push(created);
    created.on('error', () => {}); // refused while the test stops Redis: ioredis retries
    await new Promise((resolve) => created.once('ready', resolve));
    return created;
  };

  it('counts a key across limiters on different connections, as on different nodes', async () => {
    const [nodeA, nodeB] = await Promise.all([client(), client()]);
    const limit = { burst: 3, perSecond: 1 };
    const a = createKeyedLimiter(limit, { prefix: 'test-shared', redis: nodeA });
    const b = createKeyedLimiter(limit, { prefix: 'test-shared', redis: nodeB });
    expect([await a.take('10.0.0.1'), await b.take('10.0.0.1'), await a.take('10.0.0.1')]).toEqual([0, 0, 0]);
    expect(await b.take('10.0.0.1')).toBeGreaterThan(0);
    expect(await a.take('10.0.0.1')).toBeGreaterThan(0);
    expect(await b.take('10.0.0.2')).toBe(0);
    expect(await nodeA.exists('roundel:rl:test-shared:10.0.0.1')).toBe(1);
  });

  it('falls back to counting in memory while Redis is down, and keeps limiting', async () => {
    const node = await client();
    const limiter = createKeyedLimiter({ burst: 2, perSecond: 1 }, { prefix: 'test-outage', redis: node });
    expect(await limiter.take('k')).toBe(0);
    await redis().stop();
    try {
      const during = [await limiter.take('k2'), await limiter.take('k2'), await limiter.take('k2')];
      expect(during.slice(0, 2)).toEqual([0, 0]);
      expect(during[2]).toBeGreaterThan(0);
    } finally {
      await redis().start();
    }
  });
});
