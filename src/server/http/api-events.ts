/**
 * External events (Botmother's "External Event"): `POST /api/v1/events/{event}` with
 * `{platform?, users: [chatId, ...] | "everyone", data?}` raises `event` with `data` in every
 * addressed chat of the key's endpoint. The 202 is written once an inbox item is stored
 * for each of them, so every bot gets `onEvent` whether its visitor is online or not.
 *
 * The fan-out is written in batches of {@link FANOUT_BATCH} chats, one transaction each, and
 * the loop gives the event loop a turn between batches: a broadcast to 100,000 chats must not
 * stall the other requests of the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { JsonObject } from '../../protocol';
import type { App } from '../app';
import type { Endpoint } from '../endpoints';
import { checkChat } from './api-access';
import { eventData, isName, readObject } from './api-input';
import type { RequestContext } from './context';
import { HttpError, writeJson } from './errors';

/** Chats stored per transaction; the loop yields between batches. */
export const FANOUT_BATCH = 500;

/** A parsed external event request. */
export interface ExternalEvent {
  event: string;
  /** `'chatwidget'` and `'any'` address the same chats: every Roundel chat is a chat widget. */
  platform: 'chatwidget' | 'any';
  users: 'everyone' | string[];
  data: JsonObject;
}

/** Validates an external event body. @throws HttpError 400 naming the field. */
export function parseExternalEvent(event: string, body: JsonObject): ExternalEvent {
  const platform = body.platform ?? 'any';
  if (platform !== 'chatwidget' && platform !== 'any') {
    throw new HttpError('validation', "platform must be 'chatwidget' or 'any'");
  }
  const users = body.users;
  if (users !== 'everyone' && !Array.isArray(users)) {
    throw new HttpError('validation', "users must be an array of chat ids or 'everyone'");
  }
  if (Array.isArray(users)) {
    const bad = users.findIndex((user) => !isName(user));
    if (bad >= 0) throw new HttpError('validation', `users[${bad}] must be a chat id (a non-empty string)`);
  }
  const data = body.data === undefined ? {} : eventData(body.data, 'data');
  return { event, platform, users: users as 'everyone' | string[], data };
}

/** Handles `POST /api/v1/events/{event}` for an authenticated endpoint; writes the 202 or throws HttpError. */
export type ExternalEventHandler = (
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  event: string,
) => Promise<void>;

/** The handler of `POST /api/v1/events/{event}`. */
export function createExternalEvents(app: App): ExternalEventHandler {
  const { store, runtime, metrics } = app;

  /** Stores the event for `ids` (chats of the endpoint) in one transaction and schedules them. */
  async function enqueue(ids: readonly string[], payload: JsonObject): Promise<void> {
    if (ids.length === 0) return;
    await store.enqueueEvents(ids, payload);
    metrics.eventsIn.inc({ kind: 'event' }, ids.length);
    for (const id of ids) runtime.schedule(id);
  }

  /** Every chat of the endpoint, paged by id so chats created meanwhile are no problem. */
  async function toEveryone(endpoint: Endpoint, payload: JsonObject): Promise<number> {
    let matched = 0;
    for (let after = ''; ; ) {
      const ids = await store.chatIds(endpoint.endpoint, after, FANOUT_BATCH);
      await enqueue(ids, payload);
      matched += ids.length;
      if (ids.length < FANOUT_BATCH) return matched;
      after = ids[ids.length - 1] ?? '';
      await nextTurn();
    }
  }

  /**
   * The listed chats. All are checked before anything is stored, so a list naming another
   * endpoint's chat is refused (403) as a whole; unknown chats are simply not matched.
   */
  async function toListed(endpoint: Endpoint, users: readonly string[], payload: JsonObject): Promise<number> {
    const unique = [...new Set(users)];
    const targets: string[] = [];
    for (let i = 0; i < unique.length; i += FANOUT_BATCH) {
      for (const id of unique.slice(i, i + FANOUT_BATCH)) {
        const chat = await store.getChat(id);
        if (chat && checkChat(endpoint, id, chat)) targets.push(id);
      }
      await nextTurn();
    }
    for (let i = 0; i < targets.length; i += FANOUT_BATCH) {
      await enqueue(targets.slice(i, i + FANOUT_BATCH), payload);
      await nextTurn();
    }
    return targets.length;
  }

  return async (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, event: string) => {
    const request = parseExternalEvent(event, await readObject(req));
    const started = process.hrtime.bigint();
    const everyone = request.users === 'everyone';
    // `multicast` makes the runtime store an `incoming_multicast` push before the bot runs.
    const payload = { event, eventData: request.data, source: 'external', ...(everyone ? { multicast: true } : {}) };
    const matched =
      request.users === 'everyone' ? await toEveryone(endpoint, payload) : await toListed(endpoint, request.users, payload);
    // Agents get an event sent to everyone once, not once per chat.
    if (everyone) app.agents?.feed.multicast(endpoint.endpoint, event, request.data);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.fanOutSeconds.observe(seconds);
    metrics.externalEventChats.inc(undefined, matched);
    ctx.log.info('external event stored', {
      endpoint: endpoint.endpoint,
      event,
      audience: everyone ? 'everyone' : 'listed',
      matched,
      durationMs: Math.round(seconds * 1e4) / 10,
    });
    writeJson(res, 202, { event, matched });
  };
}
