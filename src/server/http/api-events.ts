/**
 * External events (Botmother's "External Event"): `POST /api/v1/events/{event}` with
 * `{platform?, users?: [userId | chatId, ...] | "everyone", users_bm?: [chatId, ...], data?}` raises
 * `event` with `data` in every addressed chat of the key's endpoint; the runtime keeps `data` as
 * the chat's `ctx.lastRequest` (Botmother's `last_request`). The 202 is written once the event is
 * stored for each of them, so every bot gets `onEvent` whether its visitor is online or not. The
 * route parses and checks; the fan-out itself is the chat intake's (chat/fanout.ts: batches of
 * {@link FANOUT_BATCH} chats, one write each, the loop yielding between them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Limits, type JsonObject } from '../../protocol';
import type { ChatRecord } from '../store/types';
import type { App } from '../app';
import { FANOUT_BATCH } from '../chat/fanout';
import type { Endpoint } from '../endpoints';
import { checkChat } from './api-access';
import { eventData, isName, readObject } from './api-input';
import type { RequestContext } from './context';
import { HttpError } from './errors';
import { answerOnce, apiKeyScope, idempotencyKey } from './idempotency';

export { FANOUT_BATCH };

/** Most entries of `users` or `users_bm` in one request. */
export const MAX_RECIPIENTS = 10_000;

/** A parsed external event request. */
export interface ExternalEvent {
  event: string;
  /** `'chatwidget'` and `'any'` address the same chats: every Roundel chat is a chat widget. */
  platform: 'chatwidget' | 'any';
  /** Verified user ids or chat ids; `'everyone'` is every chat of the endpoint. */
  users: 'everyone' | string[];
  /** Chat ids (Botmother's internal ids). */
  usersBm: string[];
  data: JsonObject;
}

/** `body[key]` as a list of ids, when present. @throws HttpError 400 naming the field. */
function idList(body: JsonObject, key: string, what: string, orEveryone: boolean): string[] | 'everyone' | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (orEveryone && value === 'everyone') return 'everyone';
  const shape = `${key} must be an array of at most ${MAX_RECIPIENTS} ${what}${orEveryone ? " or 'everyone'" : ''}`;
  if (!Array.isArray(value) || value.length > MAX_RECIPIENTS) throw new HttpError('validation', shape);
  const bad = value.findIndex((id) => !isName(id));
  if (bad >= 0) {
    throw new HttpError('validation', `${key}[${bad}] must be a non-empty string of at most ${Limits.nameChars} characters`);
  }
  return value as string[];
}

/** Validates an external event body. @throws HttpError 400 naming the field. */
export function parseExternalEvent(event: string, body: JsonObject): ExternalEvent {
  const platform = body.platform === undefined ? 'any' : body.platform;
  if (platform !== 'chatwidget' && platform !== 'any') {
    throw new HttpError('validation', "platform must be 'chatwidget' or 'any'");
  }
  const users = idList(body, 'users', 'user ids or chat ids', true);
  const usersBm = idList(body, 'users_bm', 'chat ids', false);
  if (users === undefined && usersBm === undefined) {
    throw new HttpError('validation', "users or users_bm is required: user ids or chat ids, or 'everyone'");
  }
  const data = body.data === undefined ? {} : eventData(body.data, 'data');
  return { event, platform, users: users ?? [], usersBm: usersBm === 'everyone' ? [] : (usersBm ?? []), data };
}

/** The id of `chat` when there is one and the key may reach it. @throws HttpError 403 for another endpoint's. */
function checkOptional(endpoint: Endpoint, id: string, chat: ChatRecord | undefined): string | undefined {
  return chat && checkChat(endpoint, id, chat).id;
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

  /** The chat `id` names in `users`: a verified visitor's chat first, else a chat id. */
  async function userChat(endpoint: Endpoint, id: string): Promise<string | undefined> {
    const byUser = await store.findChatByUser(endpoint.endpoint, id);
    if (byUser) return byUser.id;
    return checkOptional(endpoint, id, await store.getChat(id));
  }

  /**
   * The listed chats, each once. All are resolved before anything is stored, so a list naming
   * another endpoint's chat is refused (403) as a whole; unknown ids are simply not matched.
   */
  async function listed(endpoint: Endpoint, request: ExternalEvent): Promise<string[]> {
    const names: Array<[string, boolean]> = [
      ...[...new Set(request.users)].map((id): [string, boolean] => [id, true]),
      ...[...new Set(request.usersBm)].map((id): [string, boolean] => [id, false]),
    ];
    const found = new Set<string>();
    for (let i = 0; i < names.length; i += FANOUT_BATCH) {
      for (const [id, isUser] of names.slice(i, i + FANOUT_BATCH)) {
        const chatId = isUser ? await userChat(endpoint, id) : checkOptional(endpoint, id, await store.getChat(id));
        if (chatId !== undefined) found.add(chatId);
      }
      await nextTurn();
    }
    return [...found];
  }

  /** Stores the event for every addressed chat and schedules them; returns how many. */
  async function raise(endpoint: Endpoint, request: ExternalEvent, ctx: RequestContext): Promise<number> {
    const { event } = request;
    const started = process.hrtime.bigint();
    const everyone = request.users === 'everyone';
    const audience = everyone ? { everyone: true as const } : { everyone: false as const, chatIds: await listed(endpoint, request) };
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
    return matched;
  }

  return async (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, event: string) => {
    const key = idempotencyKey(req);
    await answerOnce(app, res, apiKeyScope(req, `POST /api/v1/events/${event}`), key, async () => {
      const request = parseExternalEvent(event, await readObject(req));
      const matched = await raise(endpoint, request, ctx);
      return { status: 202, body: { event, matched } };
    });
  };
}
