/**
 * Per-client limits at the HTTP boundary: one rate limit per client address (an IPv4 address
 * or an IPv6 /64) shared by `/pushgate`, `/api/v1` and websocket upgrades (across every node when
 * the server has Redis), and the same-origin rule of the management API. Both run before a route
 * reads a body or touches the store.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http/errors';
import type { RouteHandler } from '../http/context';
import type { Redis } from 'ioredis';
import { createKeyedLimiter, type KeyedLimiter, type RateLimit } from '../rate-limit';
import { addressKey, clientAddress } from './client-ip';

/** Default per-client HTTP rate: 200 requests per 2 s (on average 100 per second). */
export const DEFAULT_HTTP_RATE_LIMIT: RateLimit = { burst: 200, perSecond: 100 };

export interface ClientGuardOptions {
  /** Requests per client address; `false` turns the limit off. Default {@link DEFAULT_HTTP_RATE_LIMIT}. */
  rateLimit: RateLimit | false;
  /** Peers whose `X-Forwarded-For` is believed (normalised addresses). Default none. */
  trustedProxies: ReadonlySet<string>;
  /** Counts in Redis, shared by every node, when given. Default: this process's memory. */
  redis?: Redis;
}

/** Identifies clients and rations their requests. */
export class ClientGuard {
  private readonly limiter: KeyedLimiter | undefined;

  constructor(private readonly options: ClientGuardOptions) {
    this.limiter =
      options.rateLimit === false ? undefined : createKeyedLimiter(options.rateLimit, { prefix: 'client', redis: options.redis });
  }

  /** The key per-client limits count under. */
  key(req: IncomingMessage): string {
    return addressKey(clientAddress(req, this.options.trustedProxies));
  }

  /** 0 when the request may go on, otherwise milliseconds until the client may call again. */
  async take(req: IncomingMessage): Promise<number> {
    return this.limiter ? this.limiter.take(this.key(req)) : 0;
  }

  /** Throws 429 with `Retry-After` when the client is over its rate. */
  async check(req: IncomingMessage): Promise<void> {
    const waitMs = await this.take(req);
    if (waitMs > 0) throw tooManyRequests('too many requests from this address', waitMs);
  }
}

/** `Retry-After` for a wait of `waitMs`: whole seconds, at least 1. */
export const retryAfterSeconds = (waitMs: number): number => Math.max(1, Math.ceil(waitMs / 1000));

/** A 429 `too_many_requests` with `Retry-After`. */
export function tooManyRequests(message: string, waitMs: number): HttpError {
  return new HttpError('too_many_requests', message, { 'Retry-After': String(retryAfterSeconds(waitMs)) });
}

/**
 * `route`, after the client's rate-limit check. `routeOf` names the route template a refused
 * request is counted and logged under (the route itself has not run to set it).
 */
export function rateLimited(guard: ClientGuard, route: RouteHandler, routeOf?: (url: URL) => string): RouteHandler {
  return async (req, res, url, ctx) => {
    if (routeOf) ctx.route = routeOf(url);
    await guard.check(req);
    return route(req, res, url, ctx);
  };
}

/**
 * Whether `origin` is the server's own: its public origin (configured, or derived from the
 * listening address), or the origin the request was addressed to (`Host`; a page cannot forge it,
 * so this is the server's own page however it was reached, e.g. localhost vs 127.0.0.1).
 */
export function isOwnOrigin(origin: string, host: string | undefined, publicOrigin: string | undefined): boolean {
  if (origin === publicOrigin) return true;
  try {
    const url = new URL(origin);
    return host !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * `route`, refused (403) for requests carrying an `Origin` other than the server's own. The
 * management API is for servers, not pages: no CORS grant is ever given, and this stops a page
 * elsewhere that got hold of a key from using it through a visitor's browser. The server's own
 * demo page may call it (same origin).
 */
export function sameOriginOnly(publicUrl: () => string, route: RouteHandler): RouteHandler {
  return async (req, res, url, ctx) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, req.headers.host, new URL(publicUrl()).origin)) {
      throw new HttpError('authentication', 'the management API may not be called from a browser page of another origin', {}, 403);
    }
    return route(req, res, url, ctx);
  };
}
