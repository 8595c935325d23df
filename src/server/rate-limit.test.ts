import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from './rate-limit';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate and says how long to wait', () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 10 }, 0);
    expect([bucket.take(0), bucket.take(0)]).toEqual([0, 0]);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(50)).toBe(50);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.isIdle(100)).toBe(false);
    expect(bucket.isIdle(300)).toBe(true);
  });
});

describe('KeyedRateLimiter', () => {
  it('keeps one bucket per key', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter({ burst: 1, perSecond: 1 }, () => now);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1000);
    expect(limiter.take('b')).toBe(0);
    now = 1000;
    expect(limiter.take('a')).toBe(0);
  });

  it('drops the least recently used bucket instead of growing past maxKeys', () => {
    const now = 0;
    const limiter = new KeyedRateLimiter({ burst: 1, perSecond: 1 }, () => now, 3);
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    expect(limiter.take('a')).toBe(1000); // 'a' is now the most recently used
    limiter.take('d'); // all busy: the least recently used ('b') goes
    expect(limiter.size).toBe(3);
    expect(limiter.take('c')).toBe(1000);
    expect(limiter.take('b')).toBe(0); // forgotten: a fresh burst
  });

  it('forgets idle buckets as calls come in, so the map shrinks back to the active keys', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter({ burst: 1, perSecond: 1 }, () => now);
    for (let i = 0; i < 1000; i += 1) limiter.take(`ip-${i}`);
    expect(limiter.size).toBe(1000);
    now = 10_000; // every bucket is full again
    for (let i = 0; i < 600; i += 1) limiter.take('busy');
    expect(limiter.size).toBe(1);
  });
});
