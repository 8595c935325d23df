/**
 * The shared {@link Store}: PostgreSQL through `pg`, for several nodes on one database
 * (docs/scaling.md). Same tables and semantics as the SQLite engine, and the same contract suite
 * (store/contract.ts) checks both. Where SQLite relies on being the only writer, this engine locks
 * the chat's row (`FOR UPDATE`) at the start of every transaction that appends to its log or
 * reads-then-writes its inbox, so two nodes serialise per chat and a unique key catches the rest.
 *
 * Commits: the writes of chats requested during one event-loop turn share one transaction, each
 * in its own savepoint (the group commit, batch.ts), as with SQLite; a batch locks its chats' rows
 * in chat id order, so two nodes' batches cannot deadlock. A write settles after its commit, and
 * the writes of one chat are stored in the order they were requested on this node. The fan-out
 * (many chats at once) and the writes of other tables are transactions of their own.
 * `failNextCommits(n)` fails the next n transactions (batches or not) at COMMIT.
 */
import type pg from 'pg';
import type { StoredPush } from '../../../protocol';
import type { Fence } from '../../cluster/leases';
import type { Logger } from '../../logger';
import { num, profileText, str, toChat, toItem, toPush, toPushback, toThread, type Row } from '../sqlite-rows';
import type { PushBuilder, PushbackRecord, Retention, Store } from '../types';
import { postgresAgentsStore, postgresWebhookOutbox } from './agents';
import { createPool, type Client } from './db';
import { IDEMPOTENCY_STALE_MS } from '../idempotency-types';
import { postgresIdempotency, type Claimant } from './idempotency';
import { postgresFilesStore } from './files';
import { postgresInbox } from './inbox';
import { CHAT_SELECT, one, pgWrites } from './log';
import { migrate } from './migrate';
import { MIGRATIONS } from './schema';
import { reportUnavailable } from './unavailable';

export { NotOwnerError } from './log';

export interface PostgresStoreOptions {
  logger: Logger;
  retention?: Partial<Retention>;
  /** Clock for the time columns (tests). Default `() => new Date()`. */
  now?: () => Date;
  /** Pool size per node. Default 10. */
  maxConnections?: number;
  /** Called after every committed write transaction with the writes it held (`roundel_store_commits_total`). */
  onCommit?: (writes: number) => void;
}

/** The engine's extras beyond {@link Store}, for the cluster's catch-up and health check. */
export interface PostgresStore extends Store {
  readonly pool: pg.Pool;
  /** The newest `seq` of each of `chatIds` that exists. */
  lastSeqs(chatIds: readonly string[]): Promise<Map<string, number>>;
  /** The newest retained push of a chat. */
  tail(chatId: string): Promise<StoredPush | undefined>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /**
   * Makes the worker's writes (finishing an item, appending a bot output by origin) prove the
   * chat's shard lease inside their transaction: `fenceFor` answers undefined when this node does
   * not hold it, and the write fails with {@link NotOwnerError} or a FencedError.
   */
  fenceWith(fenceFor: (chatId: string) => Fence | undefined): void;
  /** Names this node process in its Idempotency-Key claims (postgres/idempotency.ts). */
  claimAs(claimant: Claimant): void;
}

const DEFAULT_RETENTION: Retention = { maxEvents: 1000, maxAgeDays: 30 };
const DAY_MS = 24 * 60 * 60 * 1000;

/** Everything of a chat but its row (deleted last), as Store.eraseChat lists it. */
const ERASE = [
  'DELETE FROM events WHERE chat_id = $1',
  'DELETE FROM inbox WHERE chat_id = $1',
  'DELETE FROM threads WHERE chat_id = $1',
  'DELETE FROM pushbacks WHERE chat_id = $1',
  'DELETE FROM files WHERE chat_id = $1',
  'DELETE FROM idempotency WHERE chat_id = $1',
  'DELETE FROM agent_chats WHERE chat_id = $1',
  "DELETE FROM webhook_outbox WHERE chat_id = $1 AND status = 'pending'",
  'DELETE FROM webhook_cursors WHERE chat_id = $1',
];

/** Connects to `url`, migrates (safely when several nodes start at once) and returns the store. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPool(url, { max: options.maxConnections, logger: options.logger });
  try {
    await migrate(pool, MIGRATIONS);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const retention: Retention = { ...DEFAULT_RETENTION, ...options.retention };
  const w = pgWrites(pool, { retention, clock: options.now ?? (() => new Date()), onCommit: options.onCommit });
  const { iso, write, lockChat, appendIn } = w;

  const insertStart = async (client: Client, chatId: string, createdAt: string) =>
    toItem(
      (await one(client, "INSERT INTO inbox (chat_id, kind, payload, custom_id, created_at) VALUES ($1, 'start', '{}', NULL, $2) RETURNING *", [
        chatId,
        createdAt,
      ])) as Row,
    );

  /** Closes the current thread of a locked chat row (appending `thread_closed`) when it is open. */
  const closeIn = async (client: Client, row: Row, build: (threadId: string) => PushBuilder): Promise<StoredPush | undefined> => {
    const threadId = str(row.t_id);
    const marked = await client.query('UPDATE threads SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL', [iso(), threadId]);
    if (marked.rowCount === 0) return undefined;
    const { push } = await appendIn(client, str(row.id), build(threadId), null, num(row.last_seq));
    await client.query('UPDATE threads SET end_seq = $1 WHERE id = $2', [push.payload.seq, threadId]);
    return push;
  };

  const getChatRow = (client: Client | pg.Pool, chatId: string) => one(client, `${CHAT_SELECT} WHERE c.id = $1`, [chatId]);

  let claimant: Claimant | undefined;
  const idempotency = postgresIdempotency(pool, () => claimant);
  const store: PostgresStore = {
    // The writes of one turn run in request order (per chat) in one transaction: a bot turn may
    // start before its item's write ran (chat/service.ts; with several nodes the runtime does not).
    groupCommit: true,
    pool,
    agents: reportUnavailable(postgresAgentsStore(pool), []),
    webhooks: reportUnavailable(postgresWebhookOutbox(pool), []),
    idempotency: reportUnavailable(idempotency, []),
    files: reportUnavailable(postgresFilesStore(pool, options.now ?? (() => new Date())), []),
    async getMeta(key) {
      const row = await one(pool, 'SELECT value FROM meta WHERE key = $1', [key]);
      return row ? str(row.value) : undefined;
    },
    async putMetaIfAbsent(key, value) {
      // Two nodes starting at once both try; the database keeps the first and both read it back.
      await pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
      return str((await one(pool, 'SELECT value FROM meta WHERE key = $1', [key]))?.value);
    },
    createChat: (input) =>
      write(input.id, async (client) => {
        const createdAt = iso();
        const user = input.user;
        const profile = user ? profileText(user) : null;
        await client.query(
          `INSERT INTO chats (id, endpoint, organization, created_at, user_id, "user", context, state, thread_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', $8)`,
          [input.id, input.endpoint, input.organization, createdAt, user?.id ?? null, profile, JSON.stringify(input.context), input.threadId],
        );
        await client.query('INSERT INTO threads (id, chat_id, created_at, start_seq) VALUES ($1, $2, $3, 0)', [input.threadId, input.id, createdAt]);
        const startItem = await insertStart(client, input.id, createdAt);
        return { chat: toChat((await getChatRow(client, input.id)) as Row), startItem };
      }),
    async getChat(id) {
      const row = await getChatRow(pool, id);
      return row ? toChat(row) : undefined;
    },
    async findChatByUser(endpoint, userId) {
      const row = await one(pool, `${CHAT_SELECT} WHERE c.endpoint = $1 AND c.user_id = $2`, [endpoint, userId]);
      return row ? toChat(row) : undefined;
    },
    async listThreads(chatId) {
      const { rows } = await pool.query<Row>('SELECT * FROM threads WHERE chat_id = $1 ORDER BY start_seq, created_at', [chatId]);
      return rows.map((row) => toThread(row));
    },
    startThread: (input) =>
      write(input.chatId, async (client) => {
        const row = await lockChat(client, input.chatId);
        if (!row) return undefined;
        const closed = await closeIn(client, row, input.close);
        const createdAt = iso();
        // Right after the previous thread's thread_closed (see schema.ts, threads.end_seq).
        const ended = (await one(client, 'SELECT end_seq FROM threads WHERE id = $1', [str(row.t_id)]))?.end_seq;
        const startSeq =
          ended !== null && ended !== undefined ? num(ended) : num((await one(client, 'SELECT last_seq FROM chats WHERE id = $1', [input.chatId]))?.last_seq);
        await client.query('INSERT INTO threads (id, chat_id, created_at, start_seq) VALUES ($1, $2, $3, $4)', [input.threadId, input.chatId, createdAt, startSeq]);
        await client.query('UPDATE chats SET thread_id = $1 WHERE id = $2', [input.threadId, input.chatId]);
        if (input.context !== undefined) await client.query('UPDATE chats SET context = $1 WHERE id = $2', [JSON.stringify(input.context), input.chatId]);
        const startItem = await insertStart(client, input.chatId, createdAt);
        const chat = toChat((await getChatRow(client, input.chatId)) as Row);
        return { chat, startItem, ...(closed ? { closed } : {}) };
      }),
    closeThread: (chatId, build) =>
      write(chatId, async (client) => {
        const row = await lockChat(client, chatId);
        return row ? closeIn(client, row, build) : undefined;
      }),
    async updateContext(chatId, context) {
      const { rowCount } = await pool.query('UPDATE chats SET context = $1 WHERE id = $2', [JSON.stringify(context), chatId]);
      return rowCount === 1;
    },
    async updateChatUser(chatId, user) {
      const { rowCount } = await pool.query('UPDATE chats SET "user" = $1 WHERE id = $2 AND user_id = $3', [profileText(user), chatId, user.id]);
      return rowCount === 1;
    },
    async chatIds(endpoint, afterId, limit) {
      const { rows } = await pool.query<Row>('SELECT id FROM chats WHERE endpoint = $1 AND id > $2 ORDER BY id LIMIT $3', [endpoint, afterId, limit]);
      return rows.map((r) => str(r.id));
    },
    async filterChats(endpoint, ids) {
      const { rows } = await pool.query<Row>('SELECT id FROM chats WHERE endpoint = $1 AND id = ANY($2::text[])', [endpoint, [...ids]]);
      const found = new Set(rows.map((r) => str(r.id)));
      return ids.filter((id) => found.has(id));
    },
    // With an origin the append is a bot output (the worker's); without, anyone's (a closing tab).
    append: (chatId, build, origin) =>
      origin === undefined
        ? write(chatId, (client) => appendIn(client, chatId, build, null))
        : write(chatId, (client) => appendIn(client, chatId, build, typeof origin === 'function' ? origin() : origin), { fenced: true }),
    async logBounds(chatId) {
      const row = await one(pool, 'SELECT c.last_seq, (SELECT min(seq) FROM events WHERE chat_id = c.id) AS oldest FROM chats c WHERE c.id = $1', [chatId]);
      const lastSeq = row ? num(row.last_seq) : 0;
      return { lastSeq, oldestSeq: row && row.oldest !== null ? num(row.oldest) : lastSeq + 1 };
    },
    async readLog(chatId, { after, until, limit }) {
      const { rows } = await pool.query<Row>(
        'SELECT action, payload FROM events WHERE chat_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4',
        [chatId, after, until ?? 2_147_483_647, limit ?? null],
      );
      return rows.map(toPush);
    },
    ...postgresInbox(w),
    async createPushback(r: PushbackRecord, origin) {
      const inserted = await one(
        pool,
        `INSERT INTO pushbacks (id, chat_id, channel_type, bot_id, event, event_data, origin, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (origin) DO NOTHING RETURNING id`,
        [r.id, r.chatId, r.channelType, r.botId, r.event, JSON.stringify(r.eventData), origin ?? null, r.createdAt],
      );
      if (inserted || origin === undefined) return r;
      return toPushback((await one(pool, 'SELECT * FROM pushbacks WHERE origin = $1', [origin])) as Row);
    },
    async getPushback(id) {
      const row = await one(pool, 'SELECT * FROM pushbacks WHERE id = $1 AND deleted_at IS NULL', [id]);
      return row ? toPushback(row) : undefined;
    },
    async deletePushback(id) {
      const { rowCount } = await pool.query('UPDATE pushbacks SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL', [iso(), id]);
      return rowCount === 1;
    },
    async trim(at) {
      const cutoff = new Date(at.getTime() - retention.maxAgeDays * DAY_MS).toISOString();
      await pool.query('DELETE FROM events WHERE created_at < $1', [cutoff]);
      await pool.query('DELETE FROM inbox WHERE processed_at IS NOT NULL AND processed_at < $1', [cutoff]);
      // A file goes when its message is past the retention age (the message is trimmed with it).
      await pool.query('DELETE FROM files WHERE created_at < $1', [cutoff]);
      await idempotency.trim(at, IDEMPOTENCY_STALE_MS);
    },
    async close() {
      await w.close();
      if (!pool.ended) await pool.end();
    },
    async lastSeqs(chatIds) {
      const { rows } = await pool.query<Row>('SELECT id, last_seq FROM chats WHERE id = ANY($1::text[])', [[...chatIds]]);
      return new Map(rows.map((r) => [str(r.id), num(r.last_seq)]));
    },
    async tail(chatId) {
      const row = await one(pool, 'SELECT action, payload FROM events WHERE chat_id = $1 ORDER BY seq DESC LIMIT 1', [chatId]);
      return row ? toPush(row) : undefined;
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    eraseChat: (chatId) =>
      write(chatId, async (client) => {
        // Locked first: an intake or a worker write of this chat on another node waits, then finds no chat.
        if (!(await lockChat(client, chatId))) return false;
        for (const sql of ERASE) await client.query(sql, [chatId]);
        return (await client.query('DELETE FROM chats WHERE id = $1', [chatId])).rowCount === 1;
      }),
    failNextCommits(count = 1) {
      w.failNextCommits(count);
    },
    fenceWith(provider) {
      w.fenceWith(provider);
    },
    claimAs(who) {
      claimant = who;
    },
  };
  return reportUnavailable(store, ['fenceWith', 'failNextCommits', 'claimAs']);
}
