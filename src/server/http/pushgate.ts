/**
 * The pushgate (docs/http-api.md, "Pushbacks"): `GET|POST /pushgate/push_{id}` raises the pushback's event in its
 * chat. The id is a capability URL meant for anyone holding it, browser pages included, hence
 * `Access-Control-Allow-Origin: *`. The 202 is written only after the activation is committed.
 */
import type { App } from '../app';
import type { Redis } from 'ioredis';
import { createKeyedLimiter, type RateLimit } from '../rate-limit';
import { readBody, parseJsonObject } from './body';
import type { RouteHandler } from './context';
import { HttpError, allowMethods } from './errors';
import { answerOnce, idempotencyKey } from './idempotency';

/**
 * Largest activation body, in bytes of UTF-8. The body is the event's data as it is: unlike event
 * data given in a field (`eventData`, `data`: at most `Limits.contextChars` UTF-16 code units),
 * it may use the whole 64 KiB, so that a service can hand over a large payload in one call.
 */
export const PUSHGATE_BODY_BYTES = 64 * 1024;

const PATH = /^\/pushgate\/push_([0-9a-fA-F-]{36})$/;

/** The route template of every pushgate request, in logs and metrics. */
export const PUSHGATE_ROUTE = '/pushgate/push_{id}';

/**
 * `route` (the pushgate behind its per-address limit) with the CORS grant set first, so that
 * every answer, a per-address 429 included, lets a browser page read it and its `Retry-After`.
 */
export function withPushgateCors(route: RouteHandler): RouteHandler {
  return async (req, res, url, ctx) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, Idempotent-Replayed');
    return route(req, res, url, ctx);
  };
}

/** The pushgate route, with a rate limit per pushback id (in Redis, across nodes, when `redis` is given). */
export function createPushgate(app: App, rateLimit: RateLimit, redis?: Redis): RouteHandler {
  const limiter = createKeyedLimiter(rateLimit, { prefix: 'pushback', redis });
  // Bound once: the counters of every result, so an activation counts without a label lookup.
  const counters = new Map(
    (['accepted', 'replayed', 'not_found', 'rate_limited', 'invalid'] as const).map((result) => [result, app.metrics.activations.of(result)]),
  );
  const count = (result: 'accepted' | 'replayed' | 'not_found' | 'rate_limited' | 'invalid') => counters.get(result)?.inc();

  return async (req, res, url, ctx) => {
    ctx.route = PUSHGATE_ROUTE;
    const method = allowMethods(req.method, ['GET', 'POST', 'OPTIONS']);
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Idempotency-Key',
        'Access-Control-Max-Age': '86400',
      });
      res.end();
      return;
    }
    const id = PATH.exec(url.pathname)?.[1]?.toLowerCase();
    const pushback = id === undefined ? undefined : await app.store.getPushback(id);
    if (id === undefined || !pushback) {
      count('not_found');
      throw new HttpError('not_found', 'no such pushback');
    }
    const key = method === 'POST' ? idempotencyKey(req) : undefined;
    let release: (() => void) | undefined;
    let replayed: boolean;
    try {
      replayed = await answerOnce(app, res, `pushgate:${id}`, key, async () => {
        const waitMs = await limiter.take(id);
        if (waitMs > 0) {
          count('rate_limited');
          throw new HttpError('too_many_requests', 'too many activations of this pushback', {
            'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))),
          });
        }
        let body;
        try {
          body = method === 'POST' ? parseJsonObject(await readBody(req, PUSHGATE_BODY_BYTES)) : undefined;
        } catch (error) {
          count('invalid');
          throw error;
        }
        // With a key, the inbox stores the activation once per (pushback, key): a retry whose first
        // attempt was stored by a node that died before answering finds it (a duplicate) instead.
        const customId = key === undefined ? undefined : `pushgate:${id}:${key}`;
        const input = { kind: 'pushback' as const, pushbackId: id, event: pushback.event, eventData: body ?? pushback.eventData, customId };
        const result = await app.chats.ingest(pushback.chatId, input);
        if (result.status !== 'accepted' && result.status !== 'duplicate') {
          count('not_found');
          throw new HttpError('not_found', 'the pushback’s chat no longer exists');
        }
        if (result.status === 'accepted') release = result.release;
        return { status: 202, body: { id, event: pushback.event, accepted: true }, chatId: pushback.chatId };
      });
    } finally {
      // After the 202: the bot's turn runs on the item the intake stored, handed over in memory.
      // Also when answering failed after the item was stored (recording the idempotent answer):
      // the item is durable and must run now, not at the next start.
      release?.();
    }
    count(replayed ? 'replayed' : 'accepted');
  };
}
