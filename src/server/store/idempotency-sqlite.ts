/** The SQLite {@link IdempotencyStore}: one table, {@link IDEMPOTENCY_MIGRATION} in schema.ts's list. */
import type Database from 'better-sqlite3';
import { answerFromRow, type ClaimResult, type IdempotencyStore } from './idempotency-types';

export const IDEMPOTENCY_MIGRATION = `
  -- status 0: claimed, being answered; otherwise the HTTP status of the stored answer.
  CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    chat_id TEXT,
    status INTEGER NOT NULL,
    headers TEXT,
    body TEXT,
    claimed_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX idempotency_chat ON idempotency (chat_id) WHERE chat_id IS NOT NULL;
  CREATE INDEX idempotency_expiry ON idempotency (expires_at);
`;

type Row = Record<string, unknown>;


export function sqliteIdempotency(db: Database.Database): IdempotencyStore {
  const q = {
    get: db.prepare('SELECT * FROM idempotency WHERE scope = ? AND key = ?'),
    insert: db.prepare('INSERT OR IGNORE INTO idempotency (scope, key, status, claimed_at) VALUES (?, ?, 0, ?)'),
    reclaim: db.prepare('UPDATE idempotency SET status = 0, chat_id = NULL, headers = NULL, body = NULL, claimed_at = ?, expires_at = NULL WHERE scope = ? AND key = ?'),
    complete: db.prepare(
      'UPDATE idempotency SET status = ?, headers = ?, body = ?, expires_at = ?, chat_id = ? WHERE scope = ? AND key = ? AND status = 0',
    ),
    release: db.prepare('DELETE FROM idempotency WHERE scope = ? AND key = ? AND status = 0'),
    trimDone: db.prepare('DELETE FROM idempotency WHERE status <> 0 AND expires_at <= ?'),
    trimStale: db.prepare('DELETE FROM idempotency WHERE status = 0 AND claimed_at <= ?'),
  };
  // One process serves a SQLite file: a claim still open when it opens was left by a process that
  // died mid-answer. Freed now, so a retry need not wait out the stale time (IDEMPOTENCY_STALE_MS).
  db.prepare('DELETE FROM idempotency WHERE status = 0').run();
  const claim = db.transaction((scope: string, key: string, now: number, staleMs: number): ClaimResult => {
    if (q.insert.run(scope, key, now).changes > 0) return { status: 'claimed' };
    const row = q.get.get(scope, key) as Row;
    const status = Number(row.status);
    const expired = status !== 0 && Number(row.expires_at) <= now;
    const stale = status === 0 && Number(row.claimed_at) <= now - staleMs;
    if (expired || stale) {
      q.reclaim.run(now, scope, key);
      return { status: 'claimed' };
    }
    return status === 0 ? { status: 'in_progress' } : { status: 'done', answer: answerFromRow(row) };
  });
  const run = <T>(body: () => T): Promise<T> => {
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    claim: (scope, key, now, staleMs) => run(() => claim(scope, key, now.getTime(), staleMs)),
    complete: (scope, key, answer, expiresAt, chatId) =>
      run(() => {
        q.complete.run(answer.status, JSON.stringify(answer.headers), answer.body, expiresAt.getTime(), chatId ?? null, scope, key);
      }),
    release: (scope, key) =>
      run(() => {
        q.release.run(scope, key);
      }),
    trim: (now, staleMs) =>
      run(() => {
        q.trimDone.run(now.getTime());
        q.trimStale.run(now.getTime() - staleMs);
      }),
  };
}
