/** The PostgreSQL schema, one entry per version (see {@link migrate}). */
import { AGENTS_MIGRATION, WEBHOOK_CURSORS_MIGRATION } from './agents';
import { IDEMPOTENCY_CLAIMANT_MIGRATION, IDEMPOTENCY_MIGRATION } from './idempotency';
import { FILES_MIGRATION } from './files';

export const MIGRATIONS: readonly string[] = [
  // 1: the nodes of the service and the shard leases that make one node the worker of a chat.
  `
  CREATE TABLE roundel_nodes (
    id text PRIMARY KEY,
    seen_at timestamptz NOT NULL
  );
  -- One row per shard. epoch grows by one on every change of owner: the fencing token a worker
  -- checks inside each of its transactions (docs/scaling.md, "Shards and leases").
  CREATE TABLE roundel_shard_leases (
    shard integer PRIMARY KEY,
    owner text,
    epoch bigint NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL DEFAULT '-infinity'
  );
  `,
  // 2: what the SQLite engine keeps (store/schema.ts), in PostgreSQL. Times are ISO-8601 text as
  // there (the store's clock, comparable as strings); JSON is text, read back through the same
  // parsers (storage is an edge).
  `
  CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

  CREATE TABLE chats (
    id text PRIMARY KEY,
    endpoint text NOT NULL,
    organization text NOT NULL,
    created_at text NOT NULL,
    user_id text,
    "user" text,
    context text NOT NULL,
    state text NOT NULL,
    last_request text,
    last_seq integer NOT NULL DEFAULT 0,
    thread_id text NOT NULL
  );
  CREATE INDEX chats_endpoint ON chats (endpoint, id);
  CREATE UNIQUE INDEX chats_user ON chats (endpoint, user_id) WHERE user_id IS NOT NULL;

  CREATE TABLE threads (
    id text PRIMARY KEY,
    chat_id text NOT NULL,
    created_at text NOT NULL,
    closed_at text,
    start_seq integer NOT NULL,
    end_seq integer
  );
  CREATE INDEX threads_chat ON threads (chat_id, start_seq);

  -- The outbound log. origin = '<inboxId>:<ordinal>' makes bot output idempotent.
  CREATE TABLE events (
    chat_id text NOT NULL,
    seq integer NOT NULL,
    action text NOT NULL,
    payload text NOT NULL,
    origin text UNIQUE,
    created_at text NOT NULL,
    PRIMARY KEY (chat_id, seq)
  );
  CREATE INDEX events_created ON events (created_at);

  CREATE TABLE inbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat_id text NOT NULL,
    kind text NOT NULL,
    payload text NOT NULL,
    custom_id text,
    ack_seq integer,
    created_at text NOT NULL,
    processed_at text,
    UNIQUE (chat_id, custom_id)
  );
  CREATE INDEX inbox_pending ON inbox (chat_id, id) WHERE processed_at IS NULL;
  CREATE INDEX inbox_processed ON inbox (processed_at) WHERE processed_at IS NOT NULL;

  CREATE TABLE pushbacks (
    id text PRIMARY KEY,
    chat_id text NOT NULL,
    channel_type text NOT NULL,
    bot_id text NOT NULL,
    event text NOT NULL,
    event_data text NOT NULL,
    origin text UNIQUE,
    created_at text NOT NULL,
    deleted_at text
  );
  CREATE INDEX pushbacks_chat ON pushbacks (chat_id);
  `,
  // 3: the agent side (agents.ts): chat routing and the webhook outbox.
  AGENTS_MIGRATION,
  // 4: idempotency records (idempotency.ts).
  IDEMPOTENCY_MIGRATION,
  // 5: the node process holding a claim, so that a dead node's claims are taken over early.
  IDEMPOTENCY_CLAIMANT_MIGRATION,
  // 6: visitor files (files.ts).
  FILES_MIGRATION,
  // 7: each chat's webhook cursor (agents.ts).
  WEBHOOK_CURSORS_MIGRATION,
];
