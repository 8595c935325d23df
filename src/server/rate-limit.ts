/**
 * Rate limits. Per-key limits (a client address, a pushback id) use rate-limiter-flexible
 * (https://github.com/animir/node-rate-limiter-flexible): in this process's memory on one node,
 * in Redis when the server is given an ioredis client (`--redis`), so that a limit holds across
 * every node behind the balancer. The per-connection frame limit of a websocket stays a small
 * synchronous {@link TokenBucket}: a socket lives on one node, and a promise per frame would only
 * add latency to the hot path.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';

export interface RateLimit {
  burst: number;
  perSecond: number;
}

/**
 * `burst` requests per window of `burst / perSecond` seconds (whole seconds, at least 1: Redis
 * expiries are in seconds): the default 200/100 is 200 requests per 2 s, on average `perSecond`,
 * with bursts up to `burst`.
 */
export function windowOf(limit: RateLimit): { points: number; duration: number } {
  const duration = Math.max(1, Math.round(limit.burst / limit.perSecond));
  return { points: Math.max(1, Math.round(limit.burst)), duration };
}

/** A limit per key. */
export interface KeyedLimiter {
  /** Resolves 0 when `key` may go on, otherwise the milliseconds until it may call again. */
  take(key: string): Promise<number>;
}

export interface KeyedLimiterOptions {
  /** Names this limiter's keys (`roundel:rl:<prefix>:<key>` in Redis). */
  prefix: string;
  /** Counts in Redis, shared by every node, when given; in this process otherwise. */
  redis?: Redis;
}

/**
 * A per-key limiter. With Redis, a Redis that does not answer falls back to counting in memory
 * (rate-limiter-flexible's insurance limiter), so an outage neither refuses every request nor
 * lifts the limits.
 */
export function createKeyedLimiter(limit: RateLimit, options: KeyedLimiterOptions): KeyedLimiter {
  const window = windowOf(limit);
  const keyPrefix = `roundel:rl:${options.prefix}`;
  const memory = new RateLimiterMemory({ keyPrefix, ...window });
  const limiter = options.redis
    ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix, ...window, insuranceLimiter: memory, rejectIfRedisNotReady: true })
    : memory;
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return 0;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
        throw rejection;
      }
    },
  };
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

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond);
    this.updatedAt = now;
  }
}
