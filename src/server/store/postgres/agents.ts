/**
 * The agent side's tables in PostgreSQL (the same as agents-sqlite.ts): each chat's routing and
 * agents, and the webhook outbox. Several nodes claim from one outbox: a claim takes the due queue
 * heads with `FOR UPDATE SKIP LOCKED` and re-checks the lease on the row it updates, so two nodes
 * never lease the same delivery, and a node killed mid-delivery only holds it until its lease ends.
 */
import type pg from 'pg';
import { BEHIND_WHERE, toDelivery, toState } from '../agents-sqlite';
import type { AgentsStore, WebhookOutboxStore } from '../agents-types';

type Row = Record<string, unknown>;

export const AGENTS_MIGRATION = `
  CREATE TABLE webhook_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id text NOT NULL UNIQUE,
    hook text NOT NULL,
    endpoint text NOT NULL,
    url text NOT NULL,
    chat_id text NOT NULL,
    action text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    lease_owner text,
    lease_until bigint,
    last_error text,
    created_at bigint NOT NULL,
    finished_at bigint
  );
  CREATE INDEX webhook_outbox_pending ON webhook_outbox (hook, chat_id, id) WHERE status = 'pending';
  CREATE INDEX webhook_outbox_finished ON webhook_outbox (finished_at) WHERE status <> 'pending';

  CREATE TABLE agent_chats (
    chat_id text PRIMARY KEY,
    endpoint text NOT NULL,
    routing text NOT NULL,
    reason text,
    agents text NOT NULL,
    updated_at text NOT NULL
  );
  CREATE INDEX agent_chats_endpoint ON agent_chats (endpoint, routing);
`;

/** Each chat's webhook cursor (as agents-sqlite.ts's WEBHOOK_CURSORS_MIGRATION). */
export const WEBHOOK_CURSORS_MIGRATION = `
  CREATE TABLE webhook_cursors (
    chat_id text PRIMARY KEY,
    position bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX webhook_cursors_updated ON webhook_cursors (updated_at);
`;

/** The head of every (hook, chat) queue. */
const IS_HEAD = `o.id = (SELECT min(p.id) FROM webhook_outbox p WHERE p.status = 'pending' AND p.hook = o.hook AND p.chat_id = o.chat_id)`;

export function postgresWebhookOutbox(pool: pg.Pool): WebhookOutboxStore {
  const finish = async (status: string, id: number, owner: string, error: string | null, now: number) =>
    (
      await pool.query(
        `UPDATE webhook_outbox SET status = $1, attempts = attempts + 1, last_error = $2, finished_at = $3, lease_owner = NULL, lease_until = NULL
         WHERE id = $4 AND lease_owner = $5 AND status = 'pending'`,
        [status, error, now, id, owner],
      )
    ).rowCount === 1;
  return {
    async enqueue(items, now, cursors = []) {
      if (items.length === 0 && cursors.length === 0) return;
      const columns = ['webhookId', 'hook', 'endpoint', 'url', 'chatId', 'action', 'body'] as const;
      // One per chat (ON CONFLICT may not touch a row twice), the furthest.
      const furthest = new Map<string, number>();
      for (const { chatId, position } of cursors) furthest.set(chatId, Math.max(position, furthest.get(chatId) ?? -1));
      // One statement, so the deliveries and the cursors commit together.
      await pool.query(
        `WITH deliveries AS (
           INSERT INTO webhook_outbox (webhook_id, hook, endpoint, url, chat_id, action, body, next_attempt_at, created_at)
           SELECT w, h, e, u, c, a, b, $8, $8
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS t(w, h, e, u, c, a, b, n)
            ORDER BY n
           ON CONFLICT (webhook_id) DO NOTHING
         )
         INSERT INTO webhook_cursors (chat_id, position, updated_at)
         SELECT c, p, $8 FROM unnest($9::text[], $10::bigint[]) AS t(c, p)
         ON CONFLICT (chat_id) DO UPDATE SET position = GREATEST(webhook_cursors.position, excluded.position), updated_at = excluded.updated_at`,
        [...columns.map((key) => items.map((item) => item[key])), now, [...furthest.keys()], [...furthest.values()]],
      );
    },
    async behind(endpoints, sinceMs) {
      const { rows: newest } = await pool.query<Row>('SELECT max(updated_at) AS at FROM webhook_cursors');
      const at = newest[0]?.at;
      const since = new Date((at === null || at === undefined ? Date.now() : Number(at)) - sinceMs).toISOString();
      const { rows } = await pool.query<Row>(
        `SELECT c.id AS chat_id, COALESCE(w.position, -1) AS position
           FROM chats c JOIN threads t ON t.id = c.thread_id LEFT JOIN webhook_cursors w ON w.chat_id = c.id
          WHERE c.endpoint = ANY($1::text[]) AND (w.position IS NOT NULL OR c.created_at > $2) AND ${BEHIND_WHERE}`,
        [endpoints, since],
      );
      return rows.map((row) => ({ chatId: String(row.chat_id), position: Number(row.position) }));
    },
    async release(owner) {
      await pool.query(`UPDATE webhook_outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND status = 'pending'`, [owner]);
    },
    async claim(now, leaseUntil, owner, limit) {
      const { rows } = await pool.query<Row>(
        `UPDATE webhook_outbox AS o SET lease_owner = $3, lease_until = $2
           FROM (SELECT o.id FROM webhook_outbox o
                  WHERE o.status = 'pending' AND ${IS_HEAD}
                    AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until < $1)
                  ORDER BY o.id LIMIT $4 FOR UPDATE SKIP LOCKED) AS due
          WHERE o.id = due.id AND o.status = 'pending' AND (o.lease_until IS NULL OR o.lease_until < $1)
          RETURNING o.*`,
        [now, leaseUntil, owner, limit],
      );
      return rows.map(toDelivery).sort((a, b) => a.id - b.id);
    },
    delivered: (id, owner, now) => finish('delivered', id, owner, null, now),
    abandon: (id, owner, error, now) => finish('failed', id, owner, error, now),
    async retry(id, owner, nextAttemptAt, error) {
      const { rowCount } = await pool.query(
        `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
         WHERE id = $3 AND lease_owner = $4 AND status = 'pending'`,
        [nextAttemptAt, error, id, owner],
      );
      return rowCount === 1;
    },
    async nextDueAt() {
      const { rows } = await pool.query<Row>(
        `SELECT min(CASE WHEN o.lease_until IS NOT NULL AND o.lease_until > o.next_attempt_at THEN o.lease_until ELSE o.next_attempt_at END) AS at
           FROM webhook_outbox o WHERE o.status = 'pending' AND ${IS_HEAD}`,
      );
      const at = rows[0]?.at;
      return at === null || at === undefined ? undefined : Number(at);
    },
    async pendingCount() {
      const { rows } = await pool.query<Row>(`SELECT count(*) AS n FROM webhook_outbox WHERE status = 'pending'`);
      return Number(rows[0]?.n ?? 0);
    },
    async trim(before) {
      await pool.query(`DELETE FROM webhook_outbox WHERE status <> 'pending' AND finished_at < $1`, [before]);
    },
  };
}

export function postgresAgentsStore(pool: pg.Pool): AgentsStore {
  return {
    async getChatState(chatId) {
      const { rows } = await pool.query<Row>('SELECT * FROM agent_chats WHERE chat_id = $1', [chatId]);
      return rows[0] ? toState(rows[0]) : undefined;
    },
    async putChatState(state) {
      await pool.query(
        `INSERT INTO agent_chats (chat_id, endpoint, routing, reason, agents, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (chat_id) DO UPDATE SET routing = excluded.routing, reason = excluded.reason, agents = excluded.agents, updated_at = excluded.updated_at`,
        [state.chatId, state.endpoint, state.routing, state.reason, JSON.stringify(state.agents), new Date().toISOString()],
      );
    },
    async routedChats(endpoint) {
      const { rows } = await pool.query<Row>(`SELECT * FROM agent_chats WHERE endpoint = $1 AND routing <> 'bot' ORDER BY updated_at`, [endpoint]);
      return rows.map(toState);
    },
    async removeChatState(chatId) {
      await pool.query('DELETE FROM agent_chats WHERE chat_id = $1', [chatId]);
    },
    async countQueued() {
      const { rows } = await pool.query<Row>(`SELECT count(*) AS n FROM agent_chats WHERE routing = 'queued'`);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
