/**
 * The agent side's durable tables in SQLite: the webhook outbox and each chat's routing and
 * agents. One migration ({@link AGENTS_MIGRATION}, appended to schema.ts's list) and the two
 * sub-stores over it; a networked engine mirrors the same tables and passes the same tests.
 */
import type Database from 'better-sqlite3';
import type { AgentChatState, AgentsStore, NewDelivery, OutboxDelivery, WebhookCursor, WebhookOutboxStore } from './agents-types';

export const AGENTS_MIGRATION = `
  -- One row per webhook POST to make. Rows of one (hook, chat) are delivered strictly in id order.
  CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL UNIQUE,
    hook TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    url TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    action TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX webhook_outbox_pending ON webhook_outbox (hook, chat_id, id) WHERE status = 'pending';
  CREATE INDEX webhook_outbox_finished ON webhook_outbox (finished_at) WHERE status <> 'pending';

  -- Who answers a chat: the bot, the queue after ctx.handoff(), or the agents listed.
  CREATE TABLE agent_chats (
    chat_id TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    routing TEXT NOT NULL,
    reason TEXT,
    agents TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX agent_chats_endpoint ON agent_chats (endpoint, routing);
`;

/**
 * Each chat's webhook cursor (agents-types.ts, {@link WebhookCursor}), advanced in the outbox's
 * transactions, for the chats of endpoints with hooks only. A chat with none is new (see `behind`).
 */
export const WEBHOOK_CURSORS_MIGRATION = `
  CREATE TABLE webhook_cursors (
    chat_id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX webhook_cursors_updated ON webhook_cursors (updated_at);
`;

/** The chats past their cursor (see WebhookOutboxStore.behind); the PostgreSQL engine's reads the same. */
export const BEHIND_WHERE = `COALESCE(w.position, -1) < CASE WHEN 2 * c.last_seq > 2 * t.start_seq + 1 THEN 2 * c.last_seq ELSE 2 * t.start_seq + 1 END`;

type Row = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** An outbox row read back (also the PostgreSQL engine's, whose columns are the same). */
export function toDelivery(row: Row): OutboxDelivery {
  return {
    id: num(row.id),
    webhookId: str(row.webhook_id),
    hook: str(row.hook),
    endpoint: str(row.endpoint),
    url: str(row.url),
    chatId: str(row.chat_id),
    action: str(row.action),
    body: str(row.body),
    attempts: num(row.attempts),
    createdAt: num(row.created_at),
  };
}

function agentIds(text: unknown): string[] {
  try {
    const value: unknown = JSON.parse(str(text));
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

const ROUTINGS: ReadonlySet<string> = new Set(['bot', 'queued', 'assigned']);

/** An agent_chats row read back (also the PostgreSQL engine's). */
export function toState(row: Row): AgentChatState {
  const routing = str(row.routing);
  return {
    chatId: str(row.chat_id),
    endpoint: str(row.endpoint),
    routing: (ROUTINGS.has(routing) ? routing : 'bot') as AgentChatState['routing'],
    reason: typeof row.reason === 'string' ? row.reason : null,
    agents: agentIds(row.agents),
  };
}

/** The webhook outbox over `db` (migrated). */
export function sqliteWebhookOutbox(db: Database.Database): WebhookOutboxStore {
  const q = {
    insert: db.prepare(
      `INSERT OR IGNORE INTO webhook_outbox (webhook_id, hook, endpoint, url, chat_id, action, body, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // The head of every (hook, chat) queue that is due and not leased by a live owner.
    due: db.prepare(
      `SELECT o.* FROM webhook_outbox o
       WHERE o.status = 'pending'
         AND o.id = (SELECT MIN(p.id) FROM webhook_outbox p WHERE p.status = 'pending' AND p.hook = o.hook AND p.chat_id = o.chat_id)
         AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until < ?)
       ORDER BY o.id LIMIT ?`,
    ),
    lease: db.prepare(`UPDATE webhook_outbox SET lease_owner = ?, lease_until = ? WHERE id = ? AND status = 'pending'`),
    done: db.prepare(
      `UPDATE webhook_outbox SET status = ?, attempts = attempts + 1, last_error = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
    ),
    retry: db.prepare(
      `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
    ),
    nextDue: db.prepare(
      `SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END) AS at
       FROM webhook_outbox o WHERE o.status = 'pending'
         AND o.id = (SELECT MIN(p.id) FROM webhook_outbox p WHERE p.status = 'pending' AND p.hook = o.hook AND p.chat_id = o.chat_id)`,
    ),
    pending: db.prepare(`SELECT COUNT(*) AS n FROM webhook_outbox WHERE status = 'pending'`),
    release: db.prepare(`UPDATE webhook_outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND status = 'pending'`),
    trim: db.prepare(`DELETE FROM webhook_outbox WHERE status <> 'pending' AND finished_at < ?`),
    cursor: db.prepare(
      `INSERT INTO webhook_cursors (chat_id, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (chat_id) DO UPDATE SET position = max(position, excluded.position), updated_at = excluded.updated_at`,
    ),
    newestCursor: db.prepare('SELECT MAX(updated_at) AS at FROM webhook_cursors'),
    behind: db.prepare(
      `SELECT c.id AS chat_id, COALESCE(w.position, -1) AS position
       FROM chats c JOIN threads t ON t.id = c.thread_id LEFT JOIN webhook_cursors w ON w.chat_id = c.id
       WHERE c.endpoint IN (SELECT value FROM json_each(?)) AND (w.position IS NOT NULL OR c.created_at > ?) AND ${BEHIND_WHERE}`,
    ),
  };
  const claim = db.transaction((now: number, leaseUntil: number, owner: string, limit: number) => {
    const rows = q.due.all(now, now, limit) as Row[];
    for (const row of rows) q.lease.run(owner, leaseUntil, row.id);
    return rows.map(toDelivery);
  });
  const enqueue = db.transaction((items: readonly NewDelivery[], now: number, cursors: readonly WebhookCursor[]) => {
    for (const item of items) {
      q.insert.run(item.webhookId, item.hook, item.endpoint, item.url, item.chatId, item.action, item.body, now, now);
    }
    for (const cursor of cursors) q.cursor.run(cursor.chatId, cursor.position, now);
  });
  return {
    async enqueue(items, now, cursors = []) {
      enqueue(items, now, cursors);
    },
    async behind(endpoints, sinceMs) {
      const newest = (q.newestCursor.get() as Row).at;
      const since = new Date((newest === null || newest === undefined ? Date.now() : num(newest)) - sinceMs).toISOString();
      return (q.behind.all(JSON.stringify(endpoints), since) as Row[]).map((row) => ({ chatId: str(row.chat_id), position: num(row.position) }));
    },
    async release(owner) {
      q.release.run(owner);
    },
    async claim(now, leaseUntil, owner, limit) {
      return claim(now, leaseUntil, owner, limit);
    },
    async delivered(id, owner, now) {
      return q.done.run('delivered', null, now, id, owner).changes > 0;
    },
    async abandon(id, owner, error, now) {
      return q.done.run('failed', error, now, id, owner).changes > 0;
    },
    async retry(id, owner, nextAttemptAt, error) {
      return q.retry.run(nextAttemptAt, error, id, owner).changes > 0;
    },
    async nextDueAt() {
      const row = q.nextDue.get() as Row | undefined;
      return row?.at === null || row?.at === undefined ? undefined : num(row.at);
    },
    async pendingCount() {
      return num((q.pending.get() as Row).n);
    },
    async trim(before) {
      q.trim.run(before);
    },
  };
}

/** Each chat's routing and agents over `db` (migrated). */
export function sqliteAgentsStore(db: Database.Database): AgentsStore {
  const q = {
    get: db.prepare('SELECT * FROM agent_chats WHERE chat_id = ?'),
    put: db.prepare(
      `INSERT INTO agent_chats (chat_id, endpoint, routing, reason, agents, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (chat_id) DO UPDATE SET routing = excluded.routing, reason = excluded.reason, agents = excluded.agents, updated_at = excluded.updated_at`,
    ),
    active: db.prepare(`SELECT * FROM agent_chats WHERE endpoint = ? AND routing <> 'bot' ORDER BY updated_at`),
    remove: db.prepare('DELETE FROM agent_chats WHERE chat_id = ?'),
    queued: db.prepare(`SELECT COUNT(*) AS n FROM agent_chats WHERE routing = 'queued'`),
  };
  return {
    async getChatState(chatId) {
      const row = q.get.get(chatId) as Row | undefined;
      return row ? toState(row) : undefined;
    },
    async putChatState(state) {
      q.put.run(state.chatId, state.endpoint, state.routing, state.reason, JSON.stringify(state.agents), new Date().toISOString());
    },
    async routedChats(endpoint) {
      return (q.active.all(endpoint) as Row[]).map(toState);
    },
    async removeChatState(chatId) {
      q.remove.run(chatId);
    },
    async countQueued() {
      return num((q.queued.get() as Row).n);
    },
  };
}
