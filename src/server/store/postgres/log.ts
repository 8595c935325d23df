/**
 * What the PostgreSQL engine's writes share: the transaction helpers (plain, and a worker's that
 * proves the shard lease first), the per-chat write order, and the chat log's append. Where SQLite
 * relies on being the only writer, these lock the chat's row (`FOR UPDATE`) before they read and
 * then write it, so two nodes serialise per chat and a unique key catches the rest.
 */
import type pg from 'pg';
import type { StoredPush } from '../../../protocol';
import { checkFence, type Fence } from '../../cluster/leases';
import { payloadText } from '../../chat/frame-text';
import { CommitError } from '../group-commit';
import { num, str, toPush, type Row } from '../sqlite-rows';
import type { AppendResult, PushBuilder, Retention } from '../types';
import { ChatChain } from './chat-chain';
import { transaction, type Client } from './db';

/** A worker write for a chat whose shard this node does not hold: another node works on it. */
export class NotOwnerError extends Error {
  constructor(readonly chatId: string) {
    super(`this node does not hold the shard of chat ${chatId}`);
    this.name = 'NotOwnerError';
  }
}

/** A chat with its current thread's columns as `t_*` (the row shape toChat reads). */
export const CHAT_SELECT = `SELECT c.*, t.id AS t_id, t.chat_id AS t_chat_id, t.created_at AS t_created_at,
  t.closed_at AS t_closed_at, t.start_seq AS t_start_seq FROM chats c JOIN threads t ON t.id = c.thread_id`;

export const one = async (client: Client | pg.Pool, sql: string, values: unknown[]): Promise<Row | undefined> =>
  (await client.query<Row>(sql, values)).rows[0];

export interface PgWrites {
  pool: pg.Pool;
  iso(): string;
  /** One transaction. */
  tx<T>(body: (client: Client) => Promise<T>): Promise<T>;
  /** A worker's transaction (bot outputs, done marks): proves the chat's lease first, when fenced. */
  workerTx<T>(chatId: string, body: (client: Client) => Promise<T>): Promise<T>;
  /** Orders the writes of one chat on this node (chat-chain.ts). */
  chain: ChatChain;
  /** Locks the chat's row for the rest of the transaction; undefined when there is no such chat. */
  lockChat(client: Client, chatId: string): Promise<Row | undefined>;
  /**
   * Appends inside a transaction. With an origin it first locks the chat and looks the origin up
   * (a re-run on another node waits, then finds it); `fresh` skips the look-up for an origin that
   * cannot exist yet (the item was inserted by the same transaction).
   */
  appendIn(client: Client, chatId: string, build: PushBuilder, origin: string | null, fresh?: boolean): Promise<AppendResult>;
  /** Test hook (Store.failNextCommits): the next `count` transactions fail at COMMIT. */
  failNextCommits(count: number): void;
  /** Makes {@link workerTx} prove the lease `fenceFor` answers (undefined: this node does not hold it). */
  fenceWith(fenceFor: (chatId: string) => Fence | undefined): void;
}

export function pgWrites(pool: pg.Pool, retention: Retention, clock: () => Date): PgWrites {
  const iso = (): string => clock().toISOString();
  let failNext = 0;
  let fenceFor: ((chatId: string) => Fence | undefined) | undefined;
  const beforeCommit = () => {
    if (failNext === 0) return;
    failNext -= 1;
    throw new CommitError('injected commit failure (test hook)', 1);
  };
  const tx = <T>(body: (client: Client) => Promise<T>) => transaction(pool, body, beforeCommit);

  const appendIn = async (client: Client, chatId: string, build: PushBuilder, origin: string | null, fresh = false): Promise<AppendResult> => {
    if (origin !== null && !fresh) {
      // Lock first, then look: a second node re-running the same item waits here, then sees it.
      await client.query('SELECT 1 FROM chats WHERE id = $1 FOR UPDATE', [chatId]);
      const existing = await one(client, 'SELECT action, payload FROM events WHERE origin = $1', [origin]);
      if (existing) return { push: toPush(existing), inserted: false };
    }
    const bumped = await one(client, 'UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq', [chatId]);
    if (!bumped) throw new Error(`chat ${chatId} does not exist`);
    const seq = num(bumped.last_seq);
    const createdAt = iso();
    const push: StoredPush = build(seq, createdAt);
    await client.query('INSERT INTO events (chat_id, seq, action, payload, origin, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      chatId,
      seq,
      push.action,
      // The text this node's connections are sent too (chat/frame-text.ts): serialised once.
      payloadText(push),
      origin,
      createdAt,
    ]);
    // Lazy retention by count: one indexed range delete on the primary key.
    if (seq > retention.maxEvents) await client.query('DELETE FROM events WHERE chat_id = $1 AND seq <= $2', [chatId, seq - retention.maxEvents]);
    return { push, inserted: true };
  };

  return {
    pool,
    iso,
    tx,
    workerTx: (chatId, body) =>
      tx(async (client) => {
        if (fenceFor) {
          const fence = fenceFor(chatId);
          if (!fence) throw new NotOwnerError(chatId);
          // Share-locks the lease row until the commit: a takeover waits for this transaction.
          await checkFence(client, fence);
        }
        return body(client);
      }),
    chain: new ChatChain(),
    lockChat: (client, chatId) => one(client, `${CHAT_SELECT} WHERE c.id = $1 FOR UPDATE OF c`, [chatId]),
    appendIn,
    failNextCommits(count) {
      failNext += count;
    },
    fenceWith(provider) {
      fenceFor = provider;
    },
  };
}

export { str };
