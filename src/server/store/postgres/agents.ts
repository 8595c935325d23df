/**
 * The agent side's tables in PostgreSQL (the same as agents-sqlite.ts): each chat's routing and
 * agents, and the webhook outbox. Several nodes claim from one outbox: a claim takes the due queue
 * heads with `FOR UPDATE SKIP LOCKED` and re-checks the lease on the row it updates, so two nodes
 * never lease the same delivery, and a node killed mid-delivery only holds it until its lease ends.
 */
import type pg from 'pg';
import { toDelivery, toState } from '../agents-sqlite';
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
    async enqueue(items, now) {
      if (items.length === 0) return;
      const columns = ['webhookId', 'hook', 'endpoint', 'url', 'chatId', 'action', 'body'] as const;
      await pool.query(
        `INSERT INTO webhook_outbox (webhook_id, hook, endpoint, url, chat_id, action, body, next_attempt_at, created_at)
         SELECT w, h, e, u, c, a, b, $8, $8
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS t(w, h, e, u, c, a, b, n)
          ORDER BY n
         ON CONFLICT (webhook_id) DO NOTHING`,
        [...columns.map((key) => items.map((item) => item[key])), now],
      );
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
