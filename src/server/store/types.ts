/**
 * The narrow storage interface the rest of the server codes against. The SQLite engine implements
 * it today; a networked engine can replace it later, which is why every method is async even
 * though SQLite answers synchronously.
 *
 * Durability model: every inbound thing is written to the inbox (committed) before it is
 * acknowledged, then a per-dialog worker processes it; bot outputs are appended to the dialog's
 * log with an `origin` so that re-running an item after a crash appends nothing twice.
 */
import type { JsonObject, StoredPush } from '../../protocol';
import type { AgentsStore, WebhookOutboxStore } from './agents-types';

/** A conversation. `id` is the `chatId` (a UUID v4). */
export interface DialogRecord {
  id: string;
  endpoint: string;
  organization: string;
  createdAt: string;
  /** ISO time the dialog was closed (`start_chat` from a tab), or null while open. */
  closedAt: string | null;
  /** `payload.user.context` for the bot. */
  context: JsonObject;
  /** The bot's `ctx.state`. */
  state: JsonObject;
  /** Newest `seq` appended to the dialog's log (0 when empty). */
  lastSeq: number;
}

export type InboxKind = 'start' | 'message' | 'postback' | 'page_event' | 'event';

/** One inbound thing waiting for (or done with) the bot. */
export interface InboxItem {
  /** Monotonic id; items of one dialog are processed in id order. */
  id: number;
  dialogId: string;
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

/** Bounds of a dialog's retained log. `oldestSeq` is `lastSeq + 1` when nothing is retained. */
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
  dialogId: string;
  kind: InboxKind;
  payload: JsonObject;
  /** Client-chosen id; a second item with the same (dialog, customId) is a duplicate. */
  customId?: string;
  /** A push to append in the same transaction (the visitor's own message), origin `<inboxId>:0`. */
  push?: PushBuilder;
  /** Refuse (status `closed`) when the dialog is closed. Default false. */
  requireOpen?: boolean;
}

export type InboundResult =
  | { status: 'accepted'; item: InboxItem; push?: StoredPush }
  /** The (dialog, customId) was seen before: nothing was stored; `seq` is the original push's. */
  | { status: 'duplicate'; item: InboxItem; seq: number | null }
  | { status: 'closed' }
  | { status: 'missing' };

export interface NewDialog {
  id: string;
  endpoint: string;
  organization: string;
  context: JsonObject;
}

export interface PushbackRecord {
  id: string;
  dialogId: string;
  channelType: string;
  botId: string;
  event: string;
  eventData: JsonObject;
  createdAt: string;
}

export interface Retention {
  /** Pushes kept per dialog (older ones are trimmed on append). Default 1000. */
  maxEvents: number;
  /** Pushes and processed inbox items older than this are trimmed by {@link Store.trim}. Default 30. */
  maxAgeDays: number;
}

export interface Store {
  /** Each chat's routing and agents (the agent side, docs/agent-api.md). */
  readonly agents: AgentsStore;
  /** The durable webhook outbox. */
  readonly webhooks: WebhookOutboxStore;
  getMeta(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` unless a value exists; returns the value that is stored. */
  putMetaIfAbsent(key: string, value: string): Promise<string>;

  /** Creates a dialog and, in the same transaction, its `start` inbox item. */
  createDialog(input: NewDialog): Promise<{ dialog: DialogRecord; startItem: InboxItem }>;
  getDialog(id: string): Promise<DialogRecord | undefined>;
  /** Appends the `thread_closed` push and marks the dialog closed; undefined if it was closed already. */
  closeDialog(id: string, build: PushBuilder): Promise<StoredPush | undefined>;
  updateContext(id: string, context: JsonObject): Promise<boolean>;
  /** Open dialogs of `endpoint` with id > `afterId`, in id order (paging for a broadcast). */
  openDialogIds(endpoint: string, afterId: string, limit: number): Promise<string[]>;
  /** The subset of `ids` that are open dialogs of `endpoint`. */
  filterOpenDialogs(endpoint: string, ids: readonly string[]): Promise<string[]>;

  /** Appends a push (one transaction bumping `last_seq`); with an origin seen before, appends nothing. */
  append(dialogId: string, build: PushBuilder, origin?: string): Promise<AppendResult>;
  logBounds(dialogId: string): Promise<LogBounds>;
  readLog(dialogId: string, options: ReadLogOptions): Promise<StoredPush[]>;

  /** Stores one inbound item (and optionally its visible push) in one transaction, deduplicated by customId. */
  acceptInbound(input: InboundInput): Promise<InboundResult>;
  /** Stores `event` items for many dialogs in one transaction. */
  enqueueEvents(dialogIds: readonly string[], payload: JsonObject): Promise<InboxItem[]>;
  /** The oldest unprocessed item of a dialog. */
  nextPending(dialogId: string): Promise<InboxItem | undefined>;
  /** Persists the bot state (when given) and marks the item processed, in one transaction. */
  finishItem(itemId: number, dialogId: string, state: JsonObject | undefined): Promise<void>;
  /** Dialogs with unprocessed items (scheduled at start-up). */
  pendingDialogIds(): Promise<string[]>;

  /** Creates a pushback; with an origin seen before, returns the pushback created then. */
  createPushback(record: PushbackRecord, origin?: string): Promise<PushbackRecord>;
  /** A pushback that exists and is not deleted. */
  getPushback(id: string): Promise<PushbackRecord | undefined>;
  /** Marks a pushback deleted; false when it did not exist (or was deleted already). */
  deletePushback(id: string): Promise<boolean>;

  /** Drops pushes and processed inbox items older than the retention age. */
  trim(now: Date): Promise<void>;
  /** Closes the database; later calls fail. */
  close(): Promise<void>;
}
