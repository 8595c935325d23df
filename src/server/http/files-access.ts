/**
 * Who may send and fetch visitor files (docs/security.md, "Visitor files"): the chat's own visitor,
 * proven by the session token the websocket login handed out (`Authorization: Bearer <token>`),
 * from a page on one of the endpoint's allowed origins; or anyone holding a signed, unexpired URL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import type { Endpoint } from '../endpoints';
import type { ChatRecord } from '../store/types';
import { isOriginAllowed } from '../ws/gateway';
import { HttpError } from './errors';

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

/** 401 with `WWW-Authenticate: Bearer`. */
export const unauthenticated = (message: string): HttpError => new HttpError('authentication', message, { 'WWW-Authenticate': 'Bearer' });

/** 403: the credentials are genuine but do not reach this. */
export const forbidden = (message: string): HttpError => new HttpError('authentication', message, {}, 403);

/**
 * The chat of the request's session token. 401 when there is none or it is not genuine (forged,
 * too old, or its chat was erased); the chat is read only after the signature checked out.
 */
export async function visitorChat(app: App, req: IncomingMessage): Promise<ChatRecord> {
  const match = BEARER.exec(req.headers.authorization ?? '');
  if (!match) throw unauthenticated('send Authorization: Bearer <session token>');
  const verified = app.tokens.verify(match[1] as string);
  const chat = verified === undefined ? undefined : await app.store.getChat(verified.chatId);
  // A pre-v1 token (no issued-at) ages from its chat's creation, as at login.
  const fresh = chat !== undefined && (verified?.issuedAt !== undefined || app.tokens.isFresh(Date.parse(chat.createdAt)));
  if (!chat || !fresh) throw unauthenticated('the session token is not valid');
  return chat;
}

/** The endpoint named by `?organization=&endpoint=` (404 when there is none). */
export function queryEndpoint(app: App, url: URL): Endpoint {
  const organization = url.searchParams.get('organization') ?? '';
  const name = url.searchParams.get('endpoint') ?? '';
  const endpoint = app.endpoints.find(organization, name);
  if (!endpoint) throw new HttpError('not_found', 'unknown organization or endpoint');
  return endpoint;
}

/**
 * CORS for the upload: a page on one of the endpoint's allowed origins (or the server's own) is
 * granted, by name, with `Vary: Origin`; any other page is refused (403) before anything is read.
 */
export function grantOrigin(app: App, endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  if (!isOriginAllowed(endpoint, origin, req.headers.host, app.configuredOrigin)) {
    throw forbidden('this page may not send files to this endpoint');
  }
  if (origin !== undefined) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
  }
}
