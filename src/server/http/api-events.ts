/**
 * External events (Botmother's "External Event"): `POST /api/v1/events/{event}` with
 * `{platform?, users: [chatId, ...] | "everyone", data?}` raises `event` with `data` in every
 * addressed chat of the key's endpoint. The 202 is written once the event is stored for each
 * of them, so every bot gets `onEvent` whether its visitor is online or not. The route parses
 * and checks; the fan-out itself is the chat intake's (chat/fanout.ts: batches of
 * {@link FANOUT_BATCH} chats, one write each).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { JsonObject } from '../../protocol';
import type { App } from '../app';
import { FANOUT_BATCH } from '../chat/fanout';
import type { Endpoint } from '../endpoints';
import { checkChat } from './api-access';
import { eventData, isName, readObject } from './api-input';
import type { RequestContext } from './context';
import { HttpError, writeJson } from './errors';

export { FANOUT_BATCH };

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
  const { store, metrics } = app;

  /**
   * The listed chats. All are checked before anything is stored, so a list naming another
   * endpoint's chat is refused (403) as a whole; unknown chats are simply not matched.
   */
  async function listed(endpoint: Endpoint, users: readonly string[]): Promise<string[]> {
    const unique = [...new Set(users)];
    const targets: string[] = [];
    for (let i = 0; i < unique.length; i += FANOUT_BATCH) {
      for (const id of unique.slice(i, i + FANOUT_BATCH)) {
        const chat = await store.getChat(id);
        if (chat && checkChat(endpoint, id, chat)) targets.push(id);
      }
      await nextTurn();
    }
    return targets;
  }

  return async (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, event: string) => {
    const request = parseExternalEvent(event, await readObject(req));
    const started = process.hrtime.bigint();
    const everyone = request.users === 'everyone';
    const audience = request.users === 'everyone' ? { everyone: true as const } : { everyone: false as const, chatIds: await listed(endpoint, request.users) };
    const matched = await app.chats.ingestExternal(endpoint, audience, event, request.data);
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
