/**
 * The embedded {@link Store}: one SQLite file through better-sqlite3 (WAL journal,
 * `synchronous = FULL` so a committed transaction survives a power cut, not only a crash).
 *
 * Every write is a job of the {@link GroupCommit}: the writes requested during one event-loop turn
 * share one transaction and one fsync, and each caller is answered once that commit is durable.
 * Reads run at once and see only committed data (no transaction is open between turns). Chats and
 * pushbacks are read through {@link SqliteCaches}, which the write jobs keep exact.
 */
import Database from 'better-sqlite3';
import type { JsonObject, StoredPush } from '../../protocol';
import { sqliteAgentsStore, sqliteWebhookOutbox } from './agents-sqlite';
import { sqliteFilesStore } from './files-sqlite';
import { payloadText } from '../chat/frame-text';
import { toInboxRow, type ExternalEvent } from '../chat/inbound';
import { GroupCommit } from './group-commit';
import { sqliteIdempotency } from './idempotency-sqlite';
import { IDEMPOTENCY_STALE_MS } from './idempotency-types';
import { migrate } from './schema';
import { sqliteBatchRunner } from './sqlite-batch';
import { prepareErase, prepareQueries } from './sqlite-queries';
import { COMMIT_INTERVAL_MS, offThreadDurability } from './sqlite-durability';
import type { FsyncFn } from './wal-sync';
import { SqliteCaches } from './sqlite-cache';
import { DeferredInbox, asStoredRow, type InboxRow } from './sqlite-inbox';
import { num, profileText, str, toChat, toItem, toPush, toPushback, toThread, type Row } from './sqlite-rows';
import type {
  AppendResult,
  FanOutOptions,
  FanOutResult,
  InboundInput,
  InboxItem,
  InboundResult,
  LogBounds,
  NewChat,
  NewThread,
  NewThreadResult,
  PushBuilder,
  PushbackRecord,
  ReadLogOptions,
  Retention,
  Store,
} from './types';

export interface SqliteStoreOptions {
  /** `FULL` (default) fsyncs every commit; `NORMAL` may lose the last commits on power loss. */
  synchronous?: 'FULL' | 'NORMAL';
  retention?: Partial<Retention>;
  /** Clock for `created_at` columns (tests). Default `() => new Date()`. */
  now?: () => Date;
  /** Each batch that committed: its jobs and how long it took (metrics). */
  onCommit?: (jobs: number, seconds: number) => void;
  /** Test hook: how the WAL is fsynced off the main thread (default `fs.fsync`). */
  fsync?: FsyncFn;
  /** A checkpoint on the worker failed (logged by the server). */
  onCheckpointError?: (message: string) => void;
}

export const DEFAULT_RETENTION: Retention = { maxEvents: 1000, maxAgeDays: 30 };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Opens (creating if needed) the database at `path` (`:memory:` works) and migrates it. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const synchronous = options.synchronous ?? 'FULL';
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // FULL on a file: batches fsync off the main thread and checkpoints run on a worker.
  const durability = synchronous === 'FULL' && !db.memory ? offThreadDurability(db, path, options) : undefined;
  const wal = durability?.wal;
  const retention: Retention = { ...DEFAULT_RETENTION, ...options.retention };
  const now = options.now ?? (() => new Date());

  const q = prepareQueries(db);

  // Several timestamps per activation, mostly within the same millisecond: formatted once per ms.
  let isoAt = Number.NaN;
  let isoText = '';
  const iso = (): string => {
    const at = now().getTime();
    if (at !== isoAt) {
      isoAt = at;
      isoText = new Date(at).toISOString();
    }
    return isoText;
  };
  const erase = prepareErase(db);
  const chatRow = (id: string) => q.getChat.get(id) as Row | undefined;
  const caches = new SqliteCaches();
  const inbox = new DeferredInbox(db);
  /** A chat's start item: its turn runs after its batch, so the row is written at once. */
  const startItem = (chatId: string, createdAt: string): InboxItem => {
    const row: InboxRow = { id: inbox.nextId(), chatId, kind: 'start', payload: '{}', customId: null, createdAt, ackSeq: null };
    inbox.insertNow(row);
    return toItem(asStoredRow(row));
  };
  const loadChat = (id: string) => {
    const row = chatRow(id);
    return row ? toChat(row) : undefined;
  };
  const commits = new GroupCommit(sqliteBatchRunner(db, wal, () => inbox.flush()), {
    // With the fsync off the loop, batches are paced (see GroupCommitOptions.minIntervalMs).
    minIntervalMs: durability ? COMMIT_INTERVAL_MS : 0,
    onCommit: (jobs, _bytes, seconds) => {
      inbox.committed();
      durability?.committed();
      options.onCommit?.(jobs, seconds);
    },
    onFailure: () => {
      caches.clear();
      inbox.discard();
    },
  });
  /** Queues a write job in this turn's batch; `bytes` is roughly what it writes. */
  const write = <T>(job: () => T, bytes = 0): Promise<T> => commits.submit(job, bytes);

  /** `fresh`: the origin names an item inserted by this very job, so no push can have it yet. */
  const appendTx = (chatId: string, build: PushBuilder, origin: string | null, fresh = false): AppendResult => {
    // An origin `<id>:<n>` of an item accepted by this very batch (its row still deferred) cannot
    // have a push yet either: the shared commit's bot outputs skip the lookup.
    if (origin !== null && !fresh && !inbox.isDeferred(Number.parseInt(origin, 10))) {
      const existing = q.byOrigin.get(origin) as Row | undefined;
      if (existing) return { push: toPush(existing), inserted: false };
    }
    const bumped = q.bumpSeq.get(chatId) as Row | undefined;
    if (!bumped) throw new Error(`chat ${chatId} does not exist`);
    const seq = num(bumped.last_seq);
    const createdAt = iso();
    const push = build(seq, createdAt);
    // The text the chat's connections are sent too (chat/frame-text.ts): serialised once.
    q.insertEvent.run(chatId, seq, push.action, payloadText(push), origin, createdAt);
    // Lazy retention by count: one indexed range delete on the primary key.
    if (seq > retention.maxEvents) q.trimCount.run(chatId, seq - retention.maxEvents);
    caches.seqMoved(chatId, seq);
    return { push, inserted: true };
  };

  /** Closes the chat's current thread (appending `thread_closed`) when it is open. */
  const closeTx = (row: Row, build: (threadId: string) => PushBuilder): StoredPush | undefined => {
    const threadId = str(row.t_id);
    if (q.markClosed.run(iso(), threadId).changes === 0) return undefined;
    const { push } = appendTx(str(row.id), build(threadId), null);
    q.setEndSeq.run(push.payload.seq, threadId);
    return push;
  };

  // The bodies of the write jobs; each runs inside a batch's transaction, in its own savepoint.
  const tx = {
    createChat: (input: NewChat) => {
      const createdAt = iso();
      const user = input.user;
      const profile = user ? profileText(user) : null;
      q.insertChat.run(input.id, input.endpoint, input.organization, createdAt, user?.id ?? null, profile, JSON.stringify(input.context), input.threadId);
      q.insertThread.run(input.threadId, input.id, createdAt, 0);
      const item = startItem(input.id, createdAt);
      return { chat: caches.putChat(toChat(chatRow(input.id) as Row)), startItem: item };
    },
    startThread: (input: NewThread): NewThreadResult | undefined => {
      const row = chatRow(input.chatId);
      if (!row) return undefined;
      const closed = closeTx(row, input.close);
      const createdAt = iso();
      // Right after the previous thread's thread_closed (see schema.ts, threads.end_seq).
      const ended = (q.endSeq.get(str(row.t_id)) as Row | undefined)?.end_seq;
      const startSeq = typeof ended === 'number' ? ended : num((q.bounds.get(input.chatId) as Row).last_seq);
      q.insertThread.run(input.threadId, input.chatId, createdAt, startSeq);
      q.setThread.run(input.threadId, input.chatId);
      if (input.context !== undefined) q.setContext.run(JSON.stringify(input.context), input.chatId);
      const item = startItem(input.chatId, createdAt);
      const chat = caches.putChat(toChat(chatRow(input.chatId) as Row));
      return { chat, startItem: item, ...(closed ? { closed } : {}) };
    },
    closeThread: (chatId: string, build: (threadId: string) => PushBuilder) => {
      const row = chatRow(chatId);
      caches.dropChat(chatId);
      return row ? closeTx(row, build) : undefined;
    },
    accept: (input: InboundInput): InboundResult => {
      const chat = caches.chat(input.chatId, () => loadChat(input.chatId));
      if (!chat) return { status: 'missing' };
      if (input.requireOpen === true && chat.thread.closedAt !== null) return { status: 'closed' };
      const customId = input.input.customId;
      if (customId !== undefined) {
        const pending = inbox.byCustomId(input.chatId, customId);
        const seen = pending ? undefined : (q.byCustomId.get(input.chatId, customId) as Row | undefined);
        if (pending) return { status: 'duplicate', item: toItem(asStoredRow(pending)), seq: pending.ackSeq };
        if (seen) return { status: 'duplicate', item: toItem(seen), seq: seen.ack_seq == null ? null : num(seen.ack_seq) };
      }
      // The item is the intake's own input: nothing is read back or parsed again.
      const row = toInboxRow(input.input);
      const createdAt = iso();
      const item: InboxItem = { id: inbox.nextId(), chatId: input.chatId, input: input.input, ...row, createdAt };
      input.stored?.(item);
      const push = input.push ? appendTx(input.chatId, input.push, `${item.id}:0`, true).push : undefined;
      // Last: a job that threw before here leaves no row behind (see sqlite-inbox.ts).
      inbox.defer({ id: item.id, chatId: input.chatId, kind: row.kind, payload: JSON.stringify(row.payload), customId: row.customId, createdAt, ackSeq: push ? push.payload.seq : null });
      return push ? { status: 'accepted', item, push } : { status: 'accepted', item };
    },
    fanOut: (ids: readonly string[], input: ExternalEvent, options: FanOutOptions): FanOutResult[] => {
      const createdAt = iso();
      const row = toInboxRow(input);
      const payload = JSON.stringify(row.payload);
      const results: FanOutResult[] = [];
      for (const chatId of ids) {
        if (!caches.chat(chatId, () => loadChat(chatId))) continue;
        let item: InboxItem | undefined;
        if (options.inbox) {
          // Its turn runs after this batch: written at once.
          item = { id: inbox.nextId(), chatId, input, ...row, createdAt };
          inbox.insertNow({ id: item.id, chatId, kind: row.kind, payload, customId: null, createdAt, ackSeq: null });
        }
        // With an item, its origin makes a re-run of that item find the push instead of adding one.
        const push = options.multicast ? appendTx(chatId, options.multicast(chatId), item ? `${item.id}:0` : null, true).push : undefined;
        results.push({ chatId, ...(item ? { item } : {}), ...(push ? { push } : {}) });
      }
      return results;
    },
    finish: (itemId: number, chatId: string, state: JsonObject | undefined, lastRequest: JsonObject | undefined) => {
      if (state !== undefined) q.setState.run(JSON.stringify(state), chatId);
      if (lastRequest !== undefined) q.setLastRequest.run(JSON.stringify(lastRequest), chatId);
      // Done within the batch that accepted it: its row is never written (see sqlite-inbox.ts).
      if (!inbox.isDeferred(itemId)) q.markProcessed.run(iso(), itemId);
      caches.turnStored(chatId, state, lastRequest);
      inbox.finish(itemId);
    },
    erase: (chatId: string): boolean => {
      for (const statement of erase) statement.run(chatId);
      // The chat and its pushbacks are gone: no cache may still answer for them (a rare write).
      caches.clear();
      const erased = q.deleteChat.run(chatId).changes > 0;
      inbox.dropChat(chatId);
      return erased;
    },
    createPushback: (r: PushbackRecord, origin: string | null) => {
      if (origin !== null) {
        const existing = q.pushbackByOrigin.get(origin) as Row | undefined;
        if (existing) return toPushback(existing);
      }
      q.insertPushback.run(r.id, r.chatId, r.channelType, r.botId, r.event, JSON.stringify(r.eventData), origin, r.createdAt);
      caches.putPushback(r);
      return r;
    },
  };

  // Wraps a synchronous read so that a failure becomes a rejected promise, never a throw.
  const readNow = <T>(body: () => T): Promise<T> => {
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  // What goes out to the chats' clients (their log, its bounds, their threads) is read only once
  // the batch in flight is durable (wal-sync.ts). The other reads are the engine's own: whatever
  // follows from them is written in a later batch, which commits after that fsync.
  const durable = <T>(body: () => T): Promise<T> => (wal ? wal.read(body) : readNow(body));

  const idempotency = sqliteIdempotency(db);

  return {
    groupCommit: true,
    agents: sqliteAgentsStore(db),
    webhooks: sqliteWebhookOutbox(db),
    idempotency,
    files: sqliteFilesStore(db, write, now),
    getMeta: (key) => readNow(() => (q.getMeta.get(key) as Row | undefined)?.value as string | undefined),
    putMetaIfAbsent: (key, value) =>
      write(() => {
        q.putMeta.run(key, value);
        return str((q.getMeta.get(key) as Row).value);
      }),
    createChat: (input) => write(() => tx.createChat(input)),
    getChat: (id) => readNow(() => caches.chat(id, () => loadChat(id))),
    findChatByUser: (endpoint, userId) =>
      readNow(() => {
        const row = q.chatByUser.get(endpoint, userId) as Row | undefined;
        return row ? toChat(row) : undefined;
      }),
    listThreads: (chatId) => durable(() => (q.threads.all(chatId) as Row[]).map((row) => toThread(row))),
    startThread: (input) =>
      write(() => {
        caches.dropChat(input.chatId);
        return tx.startThread(input);
      }),
    closeThread: (chatId, build) => write(() => tx.closeThread(chatId, build)),
    updateContext: (id, context) => {
      const text = JSON.stringify(context);
      return write(() => {
        caches.dropChat(id);
        return q.setContext.run(text, id).changes > 0;
      }, text.length);
    },
    updateChatUser: (id, user) => {
      const profile = profileText(user);
      return write(() => {
        caches.dropChat(id);
        return q.setUser.run(profile, id, user.id).changes > 0;
      }, profile.length);
    },
    chatIds: (endpoint, afterId, limit) => readNow(() => (q.chatIds.all(endpoint, afterId, limit) as Row[]).map((r) => str(r.id))),
    filterChats: (endpoint, ids) => readNow(() => ids.filter((id) => q.isChatOf.get(id, endpoint) !== undefined)),
    // A function origin is read when the job runs: after the writes requested before it.
    append: (chatId, build, origin) => write(() => appendTx(chatId, build, typeof origin === 'function' ? origin() : (origin ?? null)), 256),
    logBounds: (chatId): Promise<LogBounds> =>
      durable(() => {
        const row = q.bounds.get(chatId) as Row | undefined;
        const lastSeq = row ? num(row.last_seq) : 0;
        return { lastSeq, oldestSeq: row && row.oldest != null ? num(row.oldest) : lastSeq + 1 };
      }),
    readLog: (chatId, { after, until, limit }: ReadLogOptions) =>
      durable(() => (q.readLog.all(chatId, after, until ?? Number.MAX_SAFE_INTEGER, limit ?? -1) as Row[]).map(toPush)),
    acceptInbound: (input) => write(() => tx.accept(input), 512),
    fanOut: (ids, input, options) => write(() => tx.fanOut(ids, input, options), ids.length * (256 + JSON.stringify(input.data).length)),
    nextPending: (chatId) =>
      readNow(() => {
        const row = q.nextPending.get(chatId) as Row | undefined;
        return row ? toItem(row) : undefined;
      }),
    finishItem: (itemId, chatId, state, lastRequest, check) =>
      write(() => {
        check?.();
        tx.finish(typeof itemId === 'function' ? itemId() : itemId, chatId, state, lastRequest);
      }, 128),
    pendingChatIds: () => readNow(() => (q.pendingChats.all() as Row[]).map((r) => str(r.chat_id))),
    createPushback: (record, origin) => write(() => tx.createPushback(record, origin ?? null), 512),
    getPushback: (id) =>
      readNow(() =>
        caches.pushback(id, () => {
          const row = q.getPushback.get(id) as Row | undefined;
          return row ? toPushback(row) : undefined;
        }),
      ),
    deletePushback: (id) =>
      write(() => {
        caches.dropPushback(id);
        return q.deletePushback.run(iso(), id).changes > 0;
      }),
    eraseChat: (chatId) => write(() => tx.erase(chatId)),
    trim: (at) =>
      write(() => {
        const cutoff = new Date(at.getTime() - retention.maxAgeDays * DAY_MS).toISOString();
        q.trimEvents.run(cutoff);
        q.trimInbox.run(cutoff);
        q.trimFiles.run(cutoff);
      }).then(() => idempotency.trim(at, IDEMPOTENCY_STALE_MS)),
    failNextCommits: (count) => commits.failNextCommits(count),
    close: async () => {
      await commits.close();
      // The checkpointer's connection first: the main one, closing last, checkpoints the rest.
      await durability?.close();
      if (db.open) db.close();
    },
  };
}
