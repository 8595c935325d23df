/**
 * The management API (docs/http-api.md) under `/api/v1`, documented with runnable examples in
 * docs/http-api.md. Every route needs `Authorization: Bearer <apiKey>` (401 otherwise) and reaches
 * only the key's endpoint (403 for another endpoint's bot, chat or pushback); a path that is no
 * route is 404, a method the route lacks 405, with or without a key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Limits } from '../../protocol';
import type { App } from '../app';
import type { Endpoint } from '../endpoints';
import { authenticate, checkBot, ownChat, ownPushback } from './api-access';
import { createExternalEvents } from './api-events';
import { eventData, integerParam, readObject, requiredName } from './api-input';
import type { RequestContext, RouteHandler } from './context';
import { HttpError, allowMethods, writeJson } from './errors';
import { answerOnce, apiKeyScope, idempotencyKey } from './idempotency';

export { API_BODY_BYTES } from './api-input';
export { FANOUT_BATCH } from './api-events';

/** Largest page of `GET /api/v1/chats/{chatId}/events`. */
export const MAX_EVENTS_PAGE = 1000;
/** Default page size of `GET /api/v1/chats/{chatId}/events`. */
export const DEFAULT_EVENTS_PAGE = 100;

interface Call {
  endpoint: Endpoint;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  ctx: RequestContext;
  /** The decoded `{param}` segments of the path, in order. */
  params: string[];
}

interface Route {
  /** The path below `/api/v1`, `{x}` marking a parameter; prefixed, it names the route in logs and metrics. */
  template: string;
  methods: Record<string, (call: Call) => Promise<void>>;
}

const EVENTS_TEMPLATE = '/events/{event}';

/** Result label of `roundel_external_events_total` for a failed request. */
function resultOf(error: unknown): string {
  const status = error instanceof HttpError ? error.status : 500;
  const results: Record<number, string> = { 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 405: 'invalid', 413: 'too_large' };
  return results[status] ?? 'failed';
}

/** The route whose template matches the raw path segments below `/api/v1`, with its raw parameters. */
function match(routes: readonly Route[], segments: readonly string[]): { route: Route; raw: string[] } | undefined {
  for (const route of routes) {
    const parts = route.template.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const raw: string[] = [];
    const fits = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      if (!part.startsWith('{')) return part === segment;
      raw.push(segment);
      return segment !== '';
    });
    if (fits) return { route, raw };
  }
  return undefined;
}

function decode(raw: readonly string[]): string[] {
  return raw.map((segment) => {
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      throw new HttpError('validation', 'malformed path');
    }
    if (value.length > Limits.nameChars) throw new HttpError('validation', `a path parameter must be at most ${Limits.nameChars} characters`);
    return value;
  });
}

/** The `/api/v1` routes; `routeOf` names the route template of a URL. */
export function createApi(app: App): RouteHandler & { routeOf(url: URL): string } {
  const { store, pushbacks } = app;
  const externalEvent = createExternalEvents(app);

  const routes: Route[] = [
    {
      template: '/pushbacks',
      methods: {
        async POST({ endpoint, req, res }) {
          const key = idempotencyKey(req);
          await answerOnce(app, res, apiKeyScope(req, 'POST /api/v1/pushbacks'), key, async () => {
            const body = await readObject(req);
            const channelType = requiredName(body, 'channelType');
            const botId = requiredName(body, 'botId');
            const chatId = requiredName(body, 'chatId');
            const event = requiredName(body, 'event');
            const data = eventData(body.eventData, 'eventData');
            if (channelType !== 'chatwidget') throw new HttpError('validation', "channelType must be 'chatwidget'");
            checkBot(endpoint, botId);
            await ownChat(app, endpoint, chatId);
            const pushback = await pushbacks.create({ channelType, botId, chatId, event, eventData: data });
            return { status: 201, body: pushback, headers: { Location: `/api/v1/pushbacks/${pushback.id}` }, chatId };
          });
        },
      },
    },
    {
      template: '/pushbacks/{id}',
      methods: {
        async GET({ endpoint, res, params: [id = ''] }) {
          writeJson(res, 200, pushbacks.toPushback(await ownPushback(app, endpoint, id)));
        },
        async DELETE({ endpoint, res, params: [id = ''] }) {
          await ownPushback(app, endpoint, id);
          await store.deletePushback(id);
          res.writeHead(204).end();
        },
      },
    },
    {
      template: EVENTS_TEMPLATE,
      methods: {
        POST: ({ endpoint, req, res, ctx, params: [event = ''] }) => externalEvent(endpoint, req, res, ctx, event),
      },
    },
    {
      template: '/chats/{chatId}',
      methods: {
        async GET({ endpoint, res, params: [chatId = ''] }) {
          const chat = await ownChat(app, endpoint, chatId);
          const threads = await store.listThreads(chat.id);
          writeJson(res, 200, {
            id: chat.id,
            ...(chat.user ? { user: chat.user } : {}),
            createdAt: chat.createdAt,
            threads: threads.map((thread) => ({ id: thread.id, createdAt: thread.createdAt, closedAt: thread.closedAt })),
          });
        },
        async DELETE({ endpoint, res, params: [chatId = ''] }) {
          await ownChat(app, endpoint, chatId);
          if (!(await app.chats.eraseChat(chatId))) throw new HttpError('not_found', `no such chat '${chatId}'`);
          res.writeHead(204).end();
        },
      },
    },
    {
      template: '/chats/{chatId}/events',
      methods: {
        async GET({ endpoint, url, res, params: [chatId = ''] }) {
          const after = integerParam(url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
          const limit = integerParam(url, 'limit', DEFAULT_EVENTS_PAGE, 1, MAX_EVENTS_PAGE);
          const chat = await ownChat(app, endpoint, chatId);
          const events = await store.readLog(chat.id, { after, limit });
          const last = events.at(-1)?.payload.seq;
          writeJson(res, 200, {
            chat_id: chat.id,
            events,
            // Where the next page starts; null once this page is the last.
            next_after: events.length === limit && last !== undefined ? last : null,
          });
        },
      },
    },
  ];

  /** The route template of a path, for logs and metrics (also of requests refused before routing). */
  const routeOf = (url: URL): string => {
    const found = match(routes, url.pathname.split('/').slice(3));
    return found ? `/api/v1${found.route.template}` : '/api/v1/{unknown}';
  };

  const handler: RouteHandler = async (req, res, url, ctx) => {
    const found = match(routes, url.pathname.split('/').slice(3));
    ctx.route = routeOf(url);
    const counted = found?.route.template === EVENTS_TEMPLATE;
    try {
      // The routes and their methods are public (docs/openapi.json): an unknown one is answered
      // 404 or 405, key or not, so that every answer is one the document lists. The key is
      // checked before anything a route looks up.
      if (!found) throw new HttpError('not_found', 'no such API route');
      const method = allowMethods(req.method, Object.keys(found.route.methods));
      const run = found.route.methods[method];
      if (!run) throw new HttpError('method_not_allowed', `method ${method} is not allowed here`);
      const endpoint = authenticate(app, req);
      ctx.endpoint = endpoint.endpoint;
      await run({ endpoint, req, res, url, ctx, params: decode(found.raw) });
      if (counted) app.metrics.externalEvents.inc({ result: 'accepted' });
    } catch (error) {
      if (counted) app.metrics.externalEvents.inc({ result: resultOf(error) });
      throw error;
    }
  };
  return Object.assign(handler, { routeOf });
}
