/**
 * The PostgreSQL {@link IdempotencyStore} (the same table as idempotency-sqlite.ts). Several nodes
 * claim one key at once: the insert lets exactly one win, and taking over an expired answer or a
 * stale claim happens under the row's lock, so only one retry takes it over.
 *
 * A claim names the node process that holds it (`claimed_by`, its lease owner id). A claim whose
 * node stopped heartbeating (`roundel_nodes.seen_at`, renewed every 2 s) for the lease lifetime is
 * orphaned: a retry takes it over then, instead of waiting out the 60 s of a stale claim. Doing the
 * work twice is safe on the pushgate (the inbox deduplicates an activation by its key).
 */
import type pg from 'pg';
import { answerFromRow, type ClaimResult, type IdempotencyStore } from '../idempotency-types';
import { transaction } from './db';

export const IDEMPOTENCY_MIGRATION = `
  -- status 0: claimed, being answered; otherwise the HTTP status of the stored answer.
  CREATE TABLE idempotency (
    scope text NOT NULL,
    key text NOT NULL,
    chat_id text,
    status integer NOT NULL,
    headers text,
    body text,
    claimed_at bigint NOT NULL,
    expires_at bigint,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX idempotency_chat ON idempotency (chat_id) WHERE chat_id IS NOT NULL;
  CREATE INDEX idempotency_expiry ON idempotency (expires_at);
`;

/** Migration 5: the node process holding a claim (see above). */
export const IDEMPOTENCY_CLAIMANT_MIGRATION = `ALTER TABLE idempotency ADD COLUMN claimed_by text;`;

/** Who claims: this node's lease owner id, and how long a silent node counts as alive. */
export interface Claimant {
  owner: string;
  liveMs: number;
}

type Row = Record<string, unknown>;


/** `claimant()` answers who claims now (undefined before the node joined: the claim names nobody). */
export function postgresIdempotency(pool: pg.Pool, claimant: () => Claimant | undefined = () => undefined): IdempotencyStore {
  return {
    async claim(scope, key, now, staleMs): Promise<ClaimResult> {
      const ms = now.getTime();
      const by = claimant();
      const inserted = await pool.query(
        'INSERT INTO idempotency (scope, key, status, claimed_at, claimed_by) VALUES ($1, $2, 0, $3, $4) ON CONFLICT DO NOTHING',
        [scope, key, ms, by?.owner ?? null],
      );
      if (inserted.rowCount === 1) return { status: 'claimed' };
      return transaction(pool, async (client) => {
        const row = (
          await client.query<Row>(
            `SELECT i.*, (i.status = 0 AND i.claimed_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM roundel_nodes n
                WHERE n.id = i.claimed_by AND n.seen_at > clock_timestamp() - $3 * interval '1 millisecond')) AS orphaned
               FROM idempotency i WHERE scope = $1 AND key = $2 FOR UPDATE OF i`,
            [scope, key, by?.liveMs ?? staleMs],
          )
        ).rows[0];
        // Trimmed between the insert and here: the key is free again.
        if (!row) {
          await client.query('INSERT INTO idempotency (scope, key, status, claimed_at, claimed_by) VALUES ($1, $2, 0, $3, $4)', [scope, key, ms, by?.owner ?? null]);
          return { status: 'claimed' };
        }
        const status = Number(row.status);
        const expired = status !== 0 && Number(row.expires_at) <= ms;
        const stale = status === 0 && (Number(row.claimed_at) <= ms - staleMs || row.orphaned === true);
        if (expired || stale) {
          await client.query(
            'UPDATE idempotency SET status = 0, chat_id = NULL, headers = NULL, body = NULL, claimed_at = $1, claimed_by = $2, expires_at = NULL WHERE scope = $3 AND key = $4',
            [ms, by?.owner ?? null, scope, key],
          );
          return { status: 'claimed' };
        }
        return status === 0 ? { status: 'in_progress' } : { status: 'done', answer: answerFromRow(row) };
      });
    },
    async complete(scope, key, answer, expiresAt, chatId) {
      await pool.query('UPDATE idempotency SET status = $1, headers = $2, body = $3, expires_at = $4, chat_id = $5 WHERE scope = $6 AND key = $7 AND status = 0', [
        answer.status,
        JSON.stringify(answer.headers),
        answer.body,
        expiresAt.getTime(),
        chatId ?? null,
        scope,
        key,
      ]);
    },
    async release(scope, key) {
      await pool.query('DELETE FROM idempotency WHERE scope = $1 AND key = $2 AND status = 0', [scope, key]);
    },
    async trim(now, staleMs) {
      await pool.query('DELETE FROM idempotency WHERE status <> 0 AND expires_at <= $1', [now.getTime()]);
      await pool.query('DELETE FROM idempotency WHERE status = 0 AND claimed_at <= $1', [now.getTime() - staleMs]);
    },
  };
}
