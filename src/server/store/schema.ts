/**
 * The SQLite schema. `PRAGMA user_version` records which migrations ran; add a new entry to
 * {@link MIGRATIONS} instead of editing an old one (a database written by an older release must
 * open: `fixtures/v1.db` is one, and the upgrade test opens it).
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AGENTS_MIGRATION, WEBHOOK_CURSORS_MIGRATION } from './agents-sqlite';
import { FILES_MIGRATION } from './files-sqlite';
import { IDEMPOTENCY_MIGRATION } from './idempotency-sqlite';

/** SQL, or a function for a step SQL alone cannot express. Each runs in its own transaction. */
type Migration = string | ((db: Database.Database) => void);

/**
 * Version 3: a dialog was both the visitor and one conversation; now a chat (the visitor, per
 * endpoint, with a stable id) holds threads (the conversations). Every dialog becomes a chat with
 * the same id and one thread, open or closed as the dialog was; its log, inbox, state and
 * pushbacks stay with it, so open widgets resume and pushbacks keep working.
 */
const CHATS_AND_THREADS = `
  CREATE TABLE chats (
    id TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    organization TEXT NOT NULL,
    created_at TEXT NOT NULL,
    user_id TEXT,
    user TEXT,
    context TEXT NOT NULL,
    state TEXT NOT NULL,
    last_request TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0,
    thread_id TEXT NOT NULL
  );
  CREATE INDEX chats_endpoint ON chats (endpoint, id);
  CREATE UNIQUE INDEX chats_user ON chats (endpoint, user_id) WHERE user_id IS NOT NULL;

  CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    chat_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    start_seq INTEGER NOT NULL,
    -- The seq of its thread_closed: the next thread begins right after it, so whatever reached
    -- the chat between two threads (a pushback fired meanwhile) is part of the next conversation.
    end_seq INTEGER
  );
  CREATE INDEX threads_chat ON threads (chat_id, start_seq);

  INSERT INTO chats (id, endpoint, organization, created_at, context, state, last_seq, thread_id)
    SELECT id, endpoint, organization, created_at, context, state, last_seq, roundel_uuid() FROM dialogs;
  INSERT INTO threads (id, chat_id, created_at, closed_at, start_seq, end_seq)
    SELECT c.thread_id, c.id, d.created_at, d.closed_at, 0,
      CASE WHEN d.closed_at IS NULL THEN NULL ELSE COALESCE(
        (SELECT MAX(seq) FROM events e WHERE e.dialog_id = d.id AND e.action = 'thread_closed'), d.last_seq) END
    FROM chats c JOIN dialogs d ON d.id = c.id;
  DROP TABLE dialogs;

  ALTER TABLE events RENAME COLUMN dialog_id TO chat_id;
  ALTER TABLE inbox RENAME COLUMN dialog_id TO chat_id;
  ALTER TABLE pushbacks RENAME COLUMN dialog_id TO chat_id;
  CREATE INDEX pushbacks_chat ON pushbacks (chat_id);
`;

const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE dialogs (
    id TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    organization TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    context TEXT NOT NULL,
    state TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX dialogs_open ON dialogs (endpoint, id) WHERE closed_at IS NULL;

  -- The outbound log of stored pushes. origin = '<inboxId>:<ordinal>' makes bot output idempotent.
  CREATE TABLE events (
    dialog_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    origin TEXT UNIQUE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (dialog_id, seq)
  );
  CREATE INDEX events_created ON events (created_at);

  CREATE TABLE inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dialog_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    custom_id TEXT,
    ack_seq INTEGER,
    created_at TEXT NOT NULL,
    processed_at TEXT,
    UNIQUE (dialog_id, custom_id)
  );
  CREATE INDEX inbox_pending ON inbox (dialog_id, id) WHERE processed_at IS NULL;
  CREATE INDEX inbox_processed ON inbox (processed_at) WHERE processed_at IS NOT NULL;

  CREATE TABLE pushbacks (
    id TEXT PRIMARY KEY,
    dialog_id TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    bot_id TEXT NOT NULL,
    event TEXT NOT NULL,
    event_data TEXT NOT NULL,
    origin TEXT UNIQUE,
    created_at TEXT NOT NULL,
    deleted_at TEXT
  );
  `,
  AGENTS_MIGRATION,
  (db) => {
    db.function('roundel_uuid', { deterministic: false }, () => randomUUID());
    db.exec(CHATS_AND_THREADS);
  },
  IDEMPOTENCY_MIGRATION,
  FILES_MIGRATION,
  WEBHOOK_CURSORS_MIGRATION,
];

/** Runs the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true });
  const from = typeof version === 'number' ? version : 0;
  if (from > MIGRATIONS.length) {
    throw new Error(`database schema version ${from} is newer than this server (${MIGRATIONS.length})`);
  }
  MIGRATIONS.slice(from).forEach((step, index) => {
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${from + index + 1}`);
    })();
  });
}
