/**
 * Management API test support: a real server on port 0 with two endpoints (each with its own
 * key), chats seeded straight into its database, and a fetch helper that returns status,
 * headers and the parsed body.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Bot } from '../runtime/types';
import type { ServerOptions } from '../server';
import { openSqliteStore } from '../store/sqlite';
import { ORIGIN, startServer, type TestServer } from './harness';

export const ENDPOINT_A = 'acme-test';
export const ENDPOINT_B = 'globex-test';
export const KEY_A = 'key-acme-0123456789';
export const KEY_B = 'key-globex-0123456789';

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text of any other body, or null for 204. */
  body: unknown;
}

export interface ApiRequest {
  method?: string;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** The Bearer key; default {@link KEY_A}; null sends no Authorization header. */
  key?: string | null;
  headers?: Record<string, string>;
}

export interface ApiServer extends TestServer {
  /** Calls `path` on the server (e.g. `/api/v1/pushbacks`). */
  call(path: string, request?: ApiRequest): Promise<Answer>;
}

/** A server with endpoints acme/acme-test (key A) and globex/globex-test (key B), both answering with `bot`. */
export function startApiServer(bot: Bot, options: Partial<ServerOptions> & { dir?: string } = {}): Promise<ApiServer> {
  return startServer(bot, {
    endpoints: [
      { organization: 'acme', endpoint: ENDPOINT_A, bot, allowedOrigins: [ORIGIN], apiKey: KEY_A },
      { organization: 'globex', endpoint: ENDPOINT_B, bot, allowedOrigins: [ORIGIN], apiKey: KEY_B },
    ],
    ...options,
  }).then((server) => ({ ...server, call: (path, request) => call(server.url, path, request) }));
}

/** One HTTP call, answered as {@link Answer}. */
export async function call(base: string, path: string, request: ApiRequest = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.key !== null) headers.Authorization = `Bearer ${request.key ?? KEY_A}`;
  let body: string | undefined;
  if (request.body !== undefined) {
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method: request.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, headers: res.headers, body: res.status === 204 ? null : json ? (JSON.parse(text) as unknown) : text };
}

export interface SeedChat {
  id: string;
  /** Default {@link ENDPOINT_A}. */
  endpoint?: string;
  /** Its one thread is closed (a chat waiting for its next conversation). */
  closed?: boolean;
  /** A verified visitor's id. */
  userId?: string;
}

/**
 * Writes chats (each with one thread) straight into the database in one
 * transaction, as if their `start` item had run long ago: no pending work, an empty log. Works
 * while the server runs (WAL).
 */
export function seedChats(dbPath: string, chats: readonly SeedChat[]): void {
  void openSqliteStore(dbPath, { synchronous: 'NORMAL' }).close(); // creates the schema when new
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 5000');
  const insertChat = db.prepare(
    `INSERT INTO chats (id, endpoint, organization, created_at, user_id, context, state, thread_id) VALUES (?, ?, ?, ?, ?, '{}', '{}', ?)`,
  );
  const insertThread = db.prepare('INSERT INTO threads (id, chat_id, created_at, closed_at, start_seq) VALUES (?, ?, ?, ?, 0)');
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const chat of chats) {
      const endpoint = chat.endpoint ?? ENDPOINT_A;
      const threadId = randomUUID();
      insertChat.run(chat.id, endpoint, endpoint === ENDPOINT_B ? 'globex' : 'acme', now, chat.userId ?? null, threadId);
      insertThread.run(threadId, chat.id, now, chat.closed === true ? now : null);
    }
  })();
  db.close();
}

/** A count from the server's database (read-only connection). */
export function countRows(dbPath: string, sql: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
