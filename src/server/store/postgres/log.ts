/**
 * What the PostgreSQL engine's writes share: the group commit (batch.ts) that runs the writes of
 * a chat, a plain transaction for the rest, and the chat log's append. Where SQLite relies on
 * being the only writer, these lock the chat's row (`FOR UPDATE`) before they read and then write
 * it, so two nodes serialise per chat and a unique key catches the rest. Statements that belong
 * together are one statement (data-modifying CTEs): each is a round trip to the database.
 */
import type pg from 'pg';
import type { StoredPush } from '../../../protocol';
import type { Fence } from '../../cluster/leases';
import { payloadText } from '../../chat/frame-text';
import { CommitError } from '../group-commit';
import { num, str, toPush, type Row } from '../sqlite-rows';
import type { AppendResult, PushBuilder, Retention } from '../types';
import { PgBatcher } from './batch';
import { appendSpliced } from './append-spliced';
import { transaction, type Client } from './db';
import { one, stmt } from './statements';

export { one, stmt } from './statements';

export { NotOwnerError } from './batch';

/** A chat with its current thread's columns as `t_*` (the row shape toChat reads). */
export const CHAT_SELECT = `SELECT c.*, t.id AS t_id, t.chat_id AS t_chat_id, t.created_at AS t_created_at,
  t.closed_at AS t_closed_at, t.start_seq AS t_start_seq FROM chats c JOIN threads t ON t.id = c.thread_id`;

export interface PgWrites {
  pool: pg.Pool;
  retention: Retention;
  iso(): string;
  /** One transaction of its own (writes of many chats: the fan-out). */
  tx<T>(body: (client: Client) => Promise<T>): Promise<T>;
  /**
   * A write of one chat, in the group commit (batch.ts): it runs in a savepoint of the turn's
   * transaction and settles after that transaction's COMMIT. `fenced`: a worker's write (bot
   * outputs, done marks), which must prove the chat's shard lease when the store is fenced.
   */
  write<T>(chatId: string, body: (client: Client) => Promise<T>, options?: { fenced?: boolean; single?: boolean; bytes?: number }): Promise<T>;
  /** Locks the chat's row for the rest of the transaction; undefined when there is no such chat. */
  lockChat(client: Client, chatId: string): Promise<Row | undefined>;
  /**
   * Appends inside a transaction. `lastSeq`: the caller has locked the chat's row and read it
   * (the origin, if any, is new). Otherwise, with an origin, it first locks the chat and then looks
   * the origin up (a re-run on another node waits, then finds it).
   */
  appendIn(client: Client, chatId: string, build: PushBuilder, origin: string | null, lastSeq?: number): Promise<AppendResult>;
  /** Test hook (Store.failNextCommits): the next `count` transactions fail at COMMIT. */
  failNextCommits(count: number): void;
  /** Makes worker writes prove the lease `fenceFor` answers (undefined: this node does not hold it). */
  fenceWith(fenceFor: (chatId: string) => Fence | undefined): void;
  /** Commits what is queued and refuses further writes. */
  close(): Promise<void>;
}

export interface PgWritesOptions {
  retention: Retention;
  clock: () => Date;
  /** Called after every committed transaction, with the writes it held (metrics). */
  onCommit?: (writes: number) => void;
}

/** The retention delete, as a CTE of an append (`$n` is the highest seq to drop; `guard`, a condition before it). */
const trimCte = (n: number, guard = ''): string => `, trimmed AS (DELETE FROM events WHERE ${guard}chat_id = $1 AND seq <= $${n}::int)`;

export function pgWrites(pool: pg.Pool, options: PgWritesOptions): PgWrites {
  const { retention, clock, onCommit } = options;
  const iso = (): string => clock().toISOString();
  let failNext = 0;
  const beforeCommit = () => {
    if (failNext === 0) return;
    failNext -= 1;
    throw new CommitError('injected commit failure (test hook)', 1);
  };
  const batcher = new PgBatcher(pool, { beforeCommit, failing: () => failNext > 0, onCommit: (jobs) => onCommit?.(jobs) });
  const tx = async <T>(body: (client: Client) => Promise<T>): Promise<T> => {
    const result = await transaction(pool, body, beforeCommit);
    onCommit?.(1);
    return result;
  };

  // Set once the cluster fences worker writes: an append with an origin then runs in a batch that
  // holds the chat's shard lease, and needs no lock before its look-up (append-spliced.ts).
  let fenced = false;
  const appendIn = async (client: Client, chatId: string, build: PushBuilder, origin: string | null, lastSeq?: number): Promise<AppendResult> => {
    if (lastSeq === undefined && (origin === null || fenced)) {
      const spliced = await appendSpliced(client, chatId, build, origin, iso(), retention.maxEvents);
      if (spliced) return spliced;
    }
    const lookup = origin !== null && lastSeq === undefined;
    let seq: number;
    if (lastSeq !== undefined) seq = lastSeq + 1;
    else if (lookup) {
      // Lock first; the look-up is the next statement (a fresh snapshot), so a second node
      // re-running the same item waits here, then sees what the first one stored.
      const row = await one(client, 'SELECT last_seq FROM chats WHERE id = $1 FOR UPDATE', [chatId]);
      if (!row) throw new Error(`chat ${chatId} does not exist`);
      seq = num(row.last_seq) + 1;
    } else {
      const bumped = await one(client, 'UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq', [chatId]);
      if (!bumped) throw new Error(`chat ${chatId} does not exist`);
      seq = num(bumped.last_seq);
    }
    const createdAt = iso();
    const push: StoredPush = build(seq, createdAt);
    // The text this node's connections are sent too (chat/frame-text.ts): serialised once.
    const values: unknown[] = [chatId, seq, push.action, payloadText(push), origin, createdAt];
    // Lazy retention by count: one indexed range delete on the primary key, in the same statement.
    const trimTo = seq > retention.maxEvents ? values.push(seq - retention.maxEvents) : 0;
    const insert = 'INSERT INTO events (chat_id, seq, action, payload, origin, created_at)';
    if (lookup) {
      // Stored only when the origin is new; what is there otherwise comes back instead.
      const sql = `WITH found AS (SELECT action, payload FROM events WHERE origin = $5::text),
         bumped AS (UPDATE chats SET last_seq = $2::int WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM found) RETURNING id),
         added AS (${insert} SELECT $1, $2::int, $3::text, $4::text, $5::text, $6::text FROM bumped)
         ${trimTo > 0 ? trimCte(trimTo, 'EXISTS (SELECT 1 FROM bumped) AND ') : ''}
         SELECT action, payload FROM found`;
      const { rows } = await client.query<Row>(stmt(sql, values));
      const existing = rows[0];
      if (existing) return { push: toPush(existing), inserted: false };
      return { push, inserted: true };
    }
    const bump = lastSeq !== undefined ? ', bumped AS (UPDATE chats SET last_seq = $2::int WHERE id = $1)' : '';
    const ctes = `${bump}${trimTo > 0 ? trimCte(trimTo) : ''}`;
    await client.query(stmt(`${ctes === '' ? '' : `WITH ${ctes.slice(2)} `}${insert} VALUES ($1, $2::int, $3::text, $4::text, $5::text, $6::text)`, values));
    return { push, inserted: true };
  };

  return {
    pool,
    retention,
    iso,
    tx,
    write: (chatId, body, opts = {}) => batcher.submit({ chatId, fenced: opts.fenced, single: opts.single, run: body }, opts.bytes ?? 0),
    lockChat: (client, chatId) => one(client, `${CHAT_SELECT} WHERE c.id = $1 FOR UPDATE OF c`, [chatId]),
    appendIn,
    failNextCommits(count) {
      failNext += count;
    },
    fenceWith(provider) {
      fenced = true;
      batcher.fenceWith(provider);
    },
    close: () => batcher.close(),
  };
}

export { str };
