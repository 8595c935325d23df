/**
 * `Idempotency-Key` on the three POST routes that raise something (docs/http-api.md,
 * "Idempotency"): the first successful answer is stored (durably, in the store, so it holds across
 * restarts and nodes) and a repeat with the same key within 24 hours gets it again, raising
 * nothing new. Keys are scoped per pushback (pushgate) or per API key and route (management API).
 * A request that fails is not stored: its retry does the work again.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { errorFields } from '../logger';
import { IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS } from '../store/idempotency-types';
import { HttpError, writeJson } from './errors';

/** 1-200 printable ASCII characters (space to tilde). */
const KEY = /^[\x20-\x7E]{1,200}$/;

/** The request's `Idempotency-Key`, or undefined. @throws HttpError 400 naming the header. */
export function idempotencyKey(req: IncomingMessage): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY.test(raw)) {
    throw new HttpError('validation', 'Idempotency-Key must be 1-200 printable ASCII characters');
  }
  return raw;
}

/** The scope of a management API key: its hash (the key itself is never stored) and the route. */
export function apiKeyScope(req: IncomingMessage, route: string): string {
  const digest = createHash('sha256').update(req.headers.authorization ?? '').digest('base64url');
  return `api:${digest}:${route}`;
}

/** A JSON answer to write (and to store when the request carried a key). */
export interface JsonAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The chat the answer belongs to: erasing the chat erases the record. */
  chatId?: string;
}

/**
 * Writes `work()`'s answer, at most once per `(scope, key)` within 24 hours: with a key seen
 * before, the stored answer is written instead (with `Idempotent-Replayed: true`) and `work` does
 * not run. Returns true when the answer was a replay.
 * @throws HttpError 429 while another request with the key is being answered; whatever `work` throws
 */
export async function answerOnce(
  app: App,
  res: ServerResponse,
  scope: string,
  key: string | undefined,
  work: () => Promise<JsonAnswer>,
): Promise<boolean> {
  if (key === undefined) {
    const answer = await work();
    writeJson(res, answer.status, answer.body, answer.headers);
    return false;
  }
  const store = app.store.idempotency;
  const claim = await store.claim(scope, key, new Date(), IDEMPOTENCY_STALE_MS);
  if (claim.status === 'done') {
    const { status, headers, body } = claim.answer;
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      ...headers,
      'Idempotent-Replayed': 'true',
    });
    res.end(body);
    return true;
  }
  if (claim.status === 'in_progress') {
    throw new HttpError('too_many_requests', 'a request with this Idempotency-Key is still being answered', { 'Retry-After': '1' });
  }
  let answer: JsonAnswer;
  try {
    answer = await work();
  } catch (error) {
    await store.release(scope, key).catch((cause: unknown) => app.logger.error('releasing an idempotency key failed', errorFields(cause)));
    throw error;
  }
  const stored = { status: answer.status, headers: answer.headers ?? {}, body: JSON.stringify(answer.body) };
  try {
    await store.complete(scope, key, stored, new Date(Date.now() + IDEMPOTENCY_TTL_MS), answer.chatId);
  } catch (error) {
    // The work is done and durable; only the replay is lost. The caller still gets its answer.
    app.logger.error('storing an idempotent answer failed', errorFields(error));
  }
  writeJson(res, answer.status, answer.body, answer.headers);
  return false;
}
