/**
 * Who may do what in the management API: `Authorization: Bearer <apiKey>` names an endpoint
 * (keys compared in constant time), and that key reaches only its endpoint's bot, chats and
 * pushbacks. Another endpoint's is 403; one that does not exist is 404.
 */
import type { IncomingMessage } from 'node:http';
import type { App } from '../app';
import type { Endpoint } from '../endpoints';
import type { ChatRecord, PushbackRecord } from '../store/types';
import { HttpError } from './errors';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The endpoint whose key the request carries. @throws HttpError 401 (with `WWW-Authenticate: Bearer`). */
export function authenticate(app: App, req: IncomingMessage): Endpoint {
  const match = BEARER.exec(req.headers.authorization ?? '');
  const endpoint = match?.[1] === undefined ? undefined : app.endpoints.byApiKey(match[1]);
  if (!endpoint) {
    const message = match ? 'the API key is not valid' : 'send Authorization: Bearer <apiKey>';
    throw new HttpError('authentication', message, { 'WWW-Authenticate': 'Bearer' });
  }
  return endpoint;
}

/** 403: the key is genuine but the thing belongs to another endpoint. */
export function forbidden(message: string): HttpError {
  return new HttpError('authentication', message, {}, 403);
}

/** 403 unless `botId` is the key's endpoint. */
export function checkBot(endpoint: Endpoint, botId: string): void {
  if (botId !== endpoint.endpoint) throw forbidden(`this key may not manage bot '${botId}'`);
}

/** `chat` (looked up as `chatId`) when the key may reach it. @throws HttpError 404 (none) or 403 (another endpoint's). */
export function checkChat(endpoint: Endpoint, chatId: string, chat: ChatRecord | undefined): ChatRecord {
  if (!chat) throw new HttpError('not_found', `no such chat '${chatId}'`);
  if (chat.endpoint !== endpoint.endpoint) throw forbidden(`this key may not reach chat '${chatId}'`);
  return chat;
}

/** The key's own chat `chatId`. @throws HttpError 404 (unknown) or 403 (another endpoint's). */
export async function ownChat(app: App, endpoint: Endpoint, chatId: string): Promise<ChatRecord> {
  return checkChat(endpoint, chatId, await app.store.getChat(chatId));
}

/** The key's own live pushback `id`. @throws HttpError 404 (unknown or deleted) or 403 (another endpoint's). */
export async function ownPushback(app: App, endpoint: Endpoint, id: string): Promise<PushbackRecord> {
  const record = await app.store.getPushback(id);
  if (!record) throw new HttpError('not_found', 'no such pushback');
  if (record.botId !== endpoint.endpoint) throw forbidden('this key may not manage this pushback');
  return record;
}
