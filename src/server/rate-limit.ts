/** Token buckets: a burst of `burst` calls, refilled at `perSecond`. */

export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** One bucket. `take()` answers 0 when allowed, otherwise the milliseconds until a token is free. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
  }

  /** True when the bucket is full again, so forgetting it changes nothing. */
  isIdle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.limit.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond);
    this.updatedAt = now;
  }
}

/**
 * A bucket per key (a pushback id, a client address). Memory stays bounded whatever the keys:
 * the map is kept in least-recently-used order, every call forgets up to two idle buckets at
 * the old end (a full bucket carries no information), and past `maxKeys` the least recently used
 * bucket is dropped (its caller gets a fresh burst; that takes more than `maxKeys` live keys).
 * Every operation is O(1), so a flood of distinct keys cannot make the limiter itself slow.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  /**
   * @param now clock in ms; default `Date.now`
   * @param maxKeys most buckets kept; default 10 000
   */
  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** 0 when allowed, otherwise milliseconds until the key may call again. */
  take(key: string): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: most recently used last
    } else {
      bucket = new TokenBucket(this.limit, now);
    }
    this.evict(now);
    this.buckets.set(key, bucket);
    return bucket.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    let looked = 0;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size >= this.maxKeys || bucket.isIdle(now)) this.buckets.delete(key);
      else break;
      if (++looked >= 2 && this.buckets.size < this.maxKeys) break;
    }
  }
}
