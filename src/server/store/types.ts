/**
 * The narrow storage interface the rest of the server codes against. The SQLite engine implements
 * it today; a networked engine can replace it later, which is why every method is async even
 * though SQLite answers synchronously.
 *
 * Durability model: every inbound thing is written to the inbox (committed) before it is
 * acknowledged, then a per-chat worker processes it; bot outputs are appended to the chat's
 * log with an `origin` so that re-running an item after a crash appends nothing twice.
 *
 * Group commit (the contract every engine keeps): the writes requested during one event-loop turn
 * are stored in ONE transaction; each write's promise settles only after that transaction
 * committed (resolved) or failed as a whole (rejected, with nothing of the batch stored). A write
 * that fails on its own (a constraint) rejects only its caller. Writes of one caller are stored
 * in the order they were requested. See store/group-commit.ts.
 */
import type { JsonObject, StoredPush } from '../../protocol';
import type { ChatInput, ExternalEvent, FileUpload, InboxKind, PageEvent, Postback, PushbackEvent, VisitorMessage } from '../chat/inbound';
import type { AgentsStore, WebhookOutboxStore } from './agents-types';
import type { FilesStore } from './files-types';
import type { IdempotencyStore } from './idempotency-types';

/** A verified visitor's profile (README.md, "The widget": `user`), as the site vouched for it. */
export interface ChatUser {
  id: string;
  name?: string;
  email?: string;
}

/** A conversation of a chat. Its pushes are the chat's with `seq > startSeq` up to the next thread's `startSeq`. */
export interface ThreadRecord {
  id: string;
  chatId: string;
  createdAt: string;
  /** ISO time the thread was closed (`thread_closed`), or null while open. */
  closedAt: string | null;
  /** The chat's `lastSeq` when the thread began: its pushes have `seq > startSeq`. */
  startSeq: number;
}

/**
 * A visitor's chat with one endpoint. `id` is the stable `chatId` (a UUID v4) that pushbacks,
 * external events and the management API address; conversations are its threads.
 */
export interface ChatRecord {
  id: string;
  endpoint: string;
  organization: string;
  createdAt: string;
  /** The verified visitor the chat is keyed by, or null for an anonymous chat. */
  user: ChatUser | null;
  /** `payload.user.context` for the bot. */
  context: JsonObject;
  /** The bot's `ctx.state` (per chat, kept across threads). */
  state: JsonObject;
  /** The `data` of the newest external event processed for this chat (`ctx.lastRequest`), or undefined. */
  lastRequest: JsonObject | undefined;
  /** Newest `seq` appended to the chat's log (0 when empty); continues across threads. */
  lastSeq: number;
  /** The current (newest) thread; closed when the chat waits for a new conversation. */
  thread: ThreadRecord;
}

export type { InboxKind } from '../chat/inbound';

/** One inbound thing waiting for (or done with) the bot. */
export interface InboxItem {
  /** Monotonic id; items of one chat are processed in id order. */
  id: number;
  chatId: string;
  /** What the item is, typed (the stored row read back through the inbox parser, or the intake's own object). */
  input: ChatInput;
  /** The stored row's columns (the inbox's storage form of {@link input}). */
  kind: InboxKind;
  payload: JsonObject;
  customId: string | null;
  createdAt: string;
}

/** Builds the push to store once the store knows its `seq` and time. */
export type PushBuilder = (seq: number, createdAt: string) => StoredPush;

export interface AppendResult {
  /** The stored push: the new one, or the one already stored under the same origin. */
  push: StoredPush;
  /** False when the origin existed already (a re-run after a crash) and nothing was appended. */
  inserted: boolean;
}

/** Bounds of a chat's retained log. `oldestSeq` is `lastSeq + 1` when nothing is retained. */
export interface LogBounds {
  oldestSeq: number;
  lastSeq: number;
}

export interface ReadLogOptions {
  /** Only pushes with `seq > after`. */
  after: number;
  /** Only pushes with `seq <= until` (default: no upper bound). */
  until?: number;
  /** At most this many (default: all). */
  limit?: number;
}

export interface InboundInput {
  chatId: string;
  /** What arrived; its `customId` (client-chosen) makes a second item with the same (chat, customId) a duplicate. */
  input: VisitorMessage | Postback | FileUpload | PageEvent | PushbackEvent;
  /** A push to append in the same transaction (the visitor's own message), origin `<inboxId>:0`. */
  push?: PushBuilder;
  /** Refuse (status `closed`) when the chat's current thread is closed. Default false. */
  requireOpen?: boolean;
  /**
   * Told the stored item as soon as the write has run, before its commit. With a group commit
   * ({@link Store.groupCommit}) the writes requested after this one in the same event-loop turn
   * run after it in the same transaction, so they may name the item ({@link Origin}).
   */
  stored?: (item: InboxItem) => void;
}

/**
 * The origin of a bot output (`<inboxId>:<ordinal>`), or a function giving it when the write
 * runs: a turn started before its item's write ran (see {@link InboundInput.stored}) knows its
 * item's id only then.
 */
export type Origin = string | (() => string);

export type InboundResult =
  | { status: 'accepted'; item: InboxItem; push?: StoredPush }
  /** The (chat, customId) was seen before: nothing was stored; `seq` is the original push's. */
  | { status: 'duplicate'; item: InboxItem; seq: number | null }
  | { status: 'closed' }
  | { status: 'missing' };

export interface FanOutOptions {
  /** The push stored in each chat (an event sent to everyone), or undefined. */
  multicast?: (chatId: string) => PushBuilder;
  /** Store an inbox item for the bot (the endpoint's bot has `onEvent`). */
  inbox: boolean;
}

export interface FanOutResult {
  chatId: string;
  item?: InboxItem;
  push?: StoredPush;
}

export interface NewChat {
  id: string;
  /** The id of its first thread. */
  threadId: string;
  endpoint: string;
  organization: string;
  context: JsonObject;
  /** A verified visitor: the chat is keyed by (endpoint, user.id). */
  user?: ChatUser;
}

export interface NewThread {
  chatId: string;
  threadId: string;
  /** The `thread_closed` push of the current thread, appended when that thread is still open. */
  close: (closingThreadId: string) => PushBuilder;
  /** Replaces the chat's context for the new thread (undefined keeps it). */
  context?: JsonObject;
}

export interface NewThreadResult {
  chat: ChatRecord;
  startItem: InboxItem;
  /** The `thread_closed` appended for the previous thread (undefined when it was closed already). */
  closed?: StoredPush;
}

export interface PushbackRecord {
  id: string;
  chatId: string;
  channelType: string;
  botId: string;
  event: string;
  eventData: JsonObject;
  createdAt: string;
}

export interface Retention {
  /** Pushes kept per chat (older ones are trimmed on append). Default 1000. */
  maxEvents: number;
  /** Pushes and processed inbox items older than this are trimmed by {@link Store.trim}. Default 30. */
  maxAgeDays: number;
}

export interface Store {
  /**
   * True when the writes requested during one event-loop turn run in request order in one
   * transaction (the SQLite engine's group commit): a bot turn may then start before its item's
   * write ran and share its commit (see {@link InboundInput.stored}). Absent: every write is its own.
   */
  readonly groupCommit?: boolean;
  /** Each chat's routing and agents (the agent side, docs/agent-api.md). */
  readonly agents: AgentsStore;
  /** The durable webhook outbox. */
  readonly webhooks: WebhookOutboxStore;
  /** Answers to requests with an `Idempotency-Key`, kept 24 hours. */
  readonly idempotency: IdempotencyStore;
  /** Visitor files, erased with their chat. */
  readonly files: FilesStore;
  getMeta(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` unless a value exists; returns the value that is stored. */
  putMetaIfAbsent(key: string, value: string): Promise<string>;

  /** Creates a chat with its first thread and, in the same transaction, its `start` inbox item. */
  createChat(input: NewChat): Promise<{ chat: ChatRecord; startItem: InboxItem }>;
  getChat(id: string): Promise<ChatRecord | undefined>;
  /** The chat of verified visitor `userId` on `endpoint`. */
  findChatByUser(endpoint: string, userId: string): Promise<ChatRecord | undefined>;
  /** The chat's threads, oldest first. */
  listThreads(chatId: string): Promise<ThreadRecord[]>;
  /**
   * Closes the current thread (appending `thread_closed`) when it is open and opens a new one with
   * its `start` item, in one transaction. Undefined when the chat does not exist.
   */
  startThread(input: NewThread): Promise<NewThreadResult | undefined>;
  /** Closes the current thread, appending `thread_closed`; undefined when it was closed already (or no chat). */
  closeThread(chatId: string, build: (threadId: string) => PushBuilder): Promise<StoredPush | undefined>;
  updateContext(chatId: string, context: JsonObject): Promise<boolean>;
  /**
   * Stores a verified visitor's profile (`name`, `email`) as `user` gives it, for the chat of that
   * user (`user.id` must be the chat's); false when there is no such chat.
   */
  updateChatUser(chatId: string, user: ChatUser): Promise<boolean>;
  /** Chats of `endpoint` with id > `afterId`, in id order (paging for a broadcast). */
  chatIds(endpoint: string, afterId: string, limit: number): Promise<string[]>;
  /** The subset of `ids` that are chats of `endpoint`. */
  filterChats(endpoint: string, ids: readonly string[]): Promise<string[]>;

  /** Appends a push (one transaction bumping `last_seq`); with an origin seen before, appends nothing. */
  append(chatId: string, build: PushBuilder, origin?: Origin): Promise<AppendResult>;
  logBounds(chatId: string): Promise<LogBounds>;
  readLog(chatId: string, options: ReadLogOptions): Promise<StoredPush[]>;

  /** Stores one inbound item (and optionally its visible push) in one transaction, deduplicated by customId. */
  acceptInbound(input: InboundInput): Promise<InboundResult>;
  /**
   * One batch of an external event's fan-out, in one write: for each chat, the `incoming_multicast`
   * push when `multicast` builds one, and an inbox item for the bot when `inbox` is true (no row
   * at all when the bot has no `onEvent`). Results are in the order of `chatIds`; a chat that no
   * longer exists is left out.
   */
  fanOut(chatIds: readonly string[], input: ExternalEvent, options: FanOutOptions): Promise<FanOutResult[]>;
  /** The oldest unprocessed item of a chat. */
  nextPending(chatId: string): Promise<InboxItem | undefined>;
  /**
   * Persists the bot state and `ctx.lastRequest` (each when given) and marks the item processed,
   * in one write. `check`, when given, runs inside the transaction first: if it throws, the item
   * stays pending and the promise rejects (the runtime's guard for outputs of an earlier batch
   * that failed).
   */
  finishItem(itemId: number | (() => number), chatId: string, state: JsonObject | undefined, lastRequest?: JsonObject, check?: () => void): Promise<void>;
  /** Chats with unprocessed items (scheduled at start-up). */
  pendingChatIds(): Promise<string[]>;

  /** Creates a pushback; with an origin seen before, returns the pushback created then. */
  createPushback(record: PushbackRecord, origin?: string): Promise<PushbackRecord>;
  /** A pushback that exists and is not deleted. */
  getPushback(id: string): Promise<PushbackRecord | undefined>;
  /** Marks a pushback deleted; false when it did not exist (or was deleted already). */
  deletePushback(id: string): Promise<boolean>;

  /**
   * Erases a chat in one transaction: its threads, log, inbox, state, pushbacks, files, idempotency
   * records, agent routing and pending webhook deliveries. False when there was no such chat.
   */
  eraseChat(chatId: string): Promise<boolean>;

  /** Drops pushes and processed inbox items older than the retention age. */
  trim(now: Date): Promise<void>;
  /** Closes the database; later calls fail. */
  close(): Promise<void>;
  /**
   * Test hook: the next `count` (default 1) group commits fail as a failed COMMIT would: every
   * caller in those batches is rejected and nothing of them is stored.
   */
  failNextCommits(count?: number): void;
}
