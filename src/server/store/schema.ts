/**
 * The SQLite schema. `PRAGMA user_version` records which migrations ran; add a new entry to
 * {@link MIGRATIONS} instead of editing an old one.
 */
import type Database from 'better-sqlite3';
import { AGENTS_MIGRATION } from './agents-sqlite';

const MIGRATIONS: readonly string[] = [
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
];

/** Runs the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true });
  const from = typeof version === 'number' ? version : 0;
  if (from > MIGRATIONS.length) {
    throw new Error(`database schema version ${from} is newer than this server (${MIGRATIONS.length})`);
  }
  MIGRATIONS.slice(from).forEach((sql, index) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${from + index + 1}`);
    })();
  });
}
