/**
 * The SQLite store's prepared statements, made once per connection (sqlite.ts runs them).
 */
import type Database from 'better-sqlite3';

/** A chat with its current thread's columns as `t_*` (see {@link toChat}). */
const CHAT_SELECT = `SELECT c.*, t.id AS t_id, t.chat_id AS t_chat_id, t.created_at AS t_created_at,
  t.closed_at AS t_closed_at, t.start_seq AS t_start_seq FROM chats c JOIN threads t ON t.id = c.thread_id`;

/** Prepares every statement of the store on `db`. */
export function prepareQueries(db: Database.Database) {
  return {
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    deleteChat: db.prepare('DELETE FROM chats WHERE id = ?'),
    putMeta: db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)'),
    insertChat: db.prepare(
      `INSERT INTO chats (id, endpoint, organization, created_at, user_id, user, context, state, thread_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?)`,
    ),
    insertThread: db.prepare('INSERT INTO threads (id, chat_id, created_at, start_seq) VALUES (?, ?, ?, ?)'),
    setThread: db.prepare('UPDATE chats SET thread_id = ? WHERE id = ?'),
    getChat: db.prepare(`${CHAT_SELECT} WHERE c.id = ?`),
    chatByUser: db.prepare(`${CHAT_SELECT} WHERE c.endpoint = ? AND c.user_id = ?`),
    threads: db.prepare('SELECT * FROM threads WHERE chat_id = ? ORDER BY start_seq, created_at'),
    markClosed: db.prepare('UPDATE threads SET closed_at = ? WHERE id = ? AND closed_at IS NULL'),
    setEndSeq: db.prepare('UPDATE threads SET end_seq = ? WHERE id = ?'),
    endSeq: db.prepare('SELECT end_seq FROM threads WHERE id = ?'),
    setContext: db.prepare('UPDATE chats SET context = ? WHERE id = ?'),
    setUser: db.prepare('UPDATE chats SET user = ? WHERE id = ? AND user_id = ?'),
    setState: db.prepare('UPDATE chats SET state = ? WHERE id = ?'),
    setLastRequest: db.prepare('UPDATE chats SET last_request = ? WHERE id = ?'),
    chatIds: db.prepare('SELECT id FROM chats WHERE endpoint = ? AND id > ? ORDER BY id LIMIT ?'),
    isChatOf: db.prepare('SELECT 1 FROM chats WHERE id = ? AND endpoint = ?'),
    bumpSeq: db.prepare('UPDATE chats SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
    byOrigin: db.prepare('SELECT action, payload FROM events WHERE origin = ?'),
    insertEvent: db.prepare(
      'INSERT INTO events (chat_id, seq, action, payload, origin, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    trimCount: db.prepare('DELETE FROM events WHERE chat_id = ? AND seq <= ?'),
    bounds: db.prepare(
      'SELECT c.last_seq AS last_seq, (SELECT MIN(seq) FROM events WHERE chat_id = c.id) AS oldest FROM chats c WHERE c.id = ?',
    ),
    readLog: db.prepare(
      'SELECT action, payload FROM events WHERE chat_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    ),
    byCustomId: db.prepare('SELECT * FROM inbox WHERE chat_id = ? AND custom_id = ?'),
    nextPending: db.prepare('SELECT * FROM inbox WHERE chat_id = ? AND processed_at IS NULL ORDER BY id LIMIT 1'),
    markProcessed: db.prepare('UPDATE inbox SET processed_at = ? WHERE id = ?'),
    pendingChats: db.prepare('SELECT DISTINCT chat_id FROM inbox WHERE processed_at IS NULL'),
    pushbackByOrigin: db.prepare('SELECT * FROM pushbacks WHERE origin = ?'),
    insertPushback: db.prepare(
      `INSERT INTO pushbacks (id, chat_id, channel_type, bot_id, event, event_data, origin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getPushback: db.prepare('SELECT * FROM pushbacks WHERE id = ? AND deleted_at IS NULL'),
    deletePushback: db.prepare('UPDATE pushbacks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
    trimEvents: db.prepare('DELETE FROM events WHERE created_at < ?'),
    trimInbox: db.prepare('DELETE FROM inbox WHERE processed_at IS NOT NULL AND processed_at < ?'),
    // A file goes when its message is past the retention age (the message is trimmed with it).
    trimFiles: db.prepare('DELETE FROM files WHERE created_at < ?'),
  };
}

/** The statements that erase everything of a chat but its row (deleted last, by `deleteChat`). */
export function prepareErase(db: Database.Database): Database.Statement[] {
  return [
    'DELETE FROM events WHERE chat_id = ?',
    'DELETE FROM inbox WHERE chat_id = ?',
    'DELETE FROM threads WHERE chat_id = ?',
    'DELETE FROM pushbacks WHERE chat_id = ?',
    'DELETE FROM files WHERE chat_id = ?',
    'DELETE FROM idempotency WHERE chat_id = ?',
    'DELETE FROM agent_chats WHERE chat_id = ?',
    "DELETE FROM webhook_outbox WHERE chat_id = ? AND status = 'pending'",
    'DELETE FROM webhook_cursors WHERE chat_id = ?',
  ].map((sql) => db.prepare(sql));
}
