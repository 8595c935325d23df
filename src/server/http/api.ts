/**
 * The management API (CONTRACT §5.2) under `/api/v1`, authorized per endpoint with
 * `Authorization: Bearer <apiKey>` (compared in constant time). A key sees only its endpoint:
 * another endpoint's chats and pushbacks answer 404 as if they did not exist.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Limits, isObject, jsonSize, type JsonObject } from '../../protocol';
import type { App } from '../app';
import type { Endpoint } from '../endpoints';
import { parseJsonObject, readBody } from './body';
import { HttpError, allowMethods, writeJson } from './errors';
import type { RouteHandler } from './pushgate';

/** Largest request body. */
export const API_BODY_BYTES = 1024 * 1024;
/** Dialogs stored per transaction when fanning out an external event; the loop yields between batches. */
export const FANOUT_BATCH = 500;
const MAX_EVENTS_PAGE = 1000;

function authenticate(app: App, req: IncomingMessage): Endpoint {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const endpoint = match?.[1] === undefined ? undefined : app.endpoints.byApiKey(match[1]);
  if (!endpoint) {
    const message = match ? 'the API key is not valid' : 'send Authorization: Bearer <apiKey>';
    throw new HttpError('authentication', message, { 'WWW-Authenticate': 'Bearer' });
  }
  return endpoint;
}

async function readObject(req: IncomingMessage): Promise<JsonObject> {
  const body = parseJsonObject(await readBody(req, API_BODY_BYTES));
  if (!body) throw new HttpError('validation', 'request body must be a JSON object');
  return body;
}

function name(body: JsonObject, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '' || value.length > Limits.nameChars) {
    throw new HttpError('validation', `${key} must be a non-empty string of at most ${Limits.nameChars} characters`);
  }
  return value;
}

function eventData(value: unknown, key: string): JsonObject {
  if (!isObject(value)) throw new HttpError('validation', `${key} must be a JSON object`);
  if (jsonSize(value) > Limits.contextChars) {
    throw new HttpError('validation', `${key} must serialise to at most ${Limits.contextChars} characters`);
  }
  return value;
}

function integerParam(url: URL, key: string, fallback: number, min: number, max: number): number {
  const text = url.searchParams.get(key);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new HttpError('validation', `${key} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const notFound = (what: string) => new HttpError('not_found', `no such ${what}`);

/** The `/api/v1` routes. */
export function createApi(app: App): RouteHandler {
  const { store, pushbacks, runtime } = app;

  async function createPushback(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readObject(req);
    const channelType = name(body, 'channelType');
    const botId = name(body, 'botId');
    const chatId = name(body, 'chatId');
    const event = name(body, 'event');
    const data = eventData(body.eventData, 'eventData');
    if (channelType !== 'chatwidget') throw new HttpError('validation', "channelType must be 'chatwidget'");
    if (botId !== endpoint.endpoint) {
      throw new HttpError('authentication', `this key may not manage bot '${botId}'`, {}, 403);
    }
    const dialog = await store.getDialog(chatId);
    if (!dialog || dialog.endpoint !== endpoint.endpoint) throw notFound('chat');
    const pushback = await pushbacks.create({ channelType, botId, chatId, event, eventData: data });
    writeJson(res, 201, pushback);
  }

  async function pushback(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const method = allowMethods(req.method, ['GET', 'DELETE']);
    const record = await store.getPushback(id);
    if (!record || record.botId !== endpoint.endpoint) throw notFound('pushback');
    if (method === 'GET') return writeJson(res, 200, pushbacks.toPushback(record));
    await store.deletePushback(id);
    res.writeHead(204).end();
  }

  /** Stores the event for `ids` (open dialogs of the endpoint) and schedules them. */
  async function fanOut(ids: readonly string[], payload: JsonObject): Promise<void> {
    if (ids.length === 0) return;
    await store.enqueueEvents(ids, payload);
    app.metrics.eventsIn.inc({ kind: 'event' }, ids.length);
    for (const id of ids) runtime.schedule(id);
  }

  async function externalEvent(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, event: string): Promise<void> {
    const body = await readObject(req);
    if (body.platform !== undefined && body.platform !== 'chatwidget' && body.platform !== 'any') {
      throw new HttpError('validation', "platform must be 'chatwidget' or 'any'");
    }
    const users = body.users;
    const everyone = users === 'everyone';
    if (!everyone && !(Array.isArray(users) && users.every((u) => typeof u === 'string'))) {
      throw new HttpError('validation', "users must be an array of chat ids or 'everyone'");
    }
    const data = body.data === undefined ? {} : eventData(body.data, 'data');
    const payload = { event, eventData: data, source: 'external', ...(everyone ? { multicast: true } : {}) };
    let matched = 0;
    // Batches keep each transaction short and let the server answer other requests in between.
    if (everyone) {
      for (let after = ''; ; ) {
        const ids = await store.openDialogIds(endpoint.endpoint, after, FANOUT_BATCH);
        await fanOut(ids, payload);
        matched += ids.length;
        if (ids.length < FANOUT_BATCH) break;
        after = ids[ids.length - 1] ?? '';
        await yieldToEventLoop();
      }
    } else {
      const unique = [...new Set(users as string[])];
      for (let i = 0; i < unique.length; i += FANOUT_BATCH) {
        const ids = await store.filterOpenDialogs(endpoint.endpoint, unique.slice(i, i + FANOUT_BATCH));
        await fanOut(ids, payload);
        matched += ids.length;
        await yieldToEventLoop();
      }
    }
    writeJson(res, 202, { event, matched });
  }

  async function chatEvents(endpoint: Endpoint, url: URL, res: ServerResponse, chatId: string): Promise<void> {
    const after = integerParam(url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParam(url, 'limit', 100, 1, MAX_EVENTS_PAGE);
    const dialog = await store.getDialog(chatId);
    if (!dialog || dialog.endpoint !== endpoint.endpoint) throw notFound('chat');
    const events = await store.readLog(dialog.id, { after, limit });
    const last = events.at(-1)?.payload.seq;
    writeJson(res, 200, {
      chat_id: dialog.id,
      events,
      next_after: events.length === limit && last !== undefined ? last : null,
    });
  }

  return async (req, res, url) => {
    const endpoint = authenticate(app, req);
    const segments = url.pathname.split('/').slice(3).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new HttpError('validation', 'malformed path');
      }
    });
    const [resource, id, sub] = segments;
    if (resource === 'pushbacks' && segments.length === 1) {
      allowMethods(req.method, ['POST']);
      return createPushback(endpoint, req, res);
    }
    if (resource === 'pushbacks' && segments.length === 2 && id) return pushback(endpoint, req, res, id);
    if (resource === 'events' && segments.length === 2 && id) {
      allowMethods(req.method, ['POST']);
      if (id.length > Limits.nameChars) throw new HttpError('validation', 'event name is too long');
      return externalEvent(endpoint, req, res, id);
    }
    if (resource === 'chats' && segments.length === 3 && id && sub === 'events') {
      allowMethods(req.method, ['GET']);
      return chatEvents(endpoint, url, res, id);
    }
    throw new HttpError('not_found', 'no such API route');
  };
}
