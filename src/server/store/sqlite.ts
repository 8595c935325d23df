/**
 * The embedded {@link Store}: one SQLite file through better-sqlite3 (WAL journal,
 * `synchronous = FULL` so a committed transaction survives a power cut, not only a crash).
 * better-sqlite3 is synchronous, so every transaction below is atomic with respect to the event
 * loop as well; the async signatures are for the interface.
 */
import Database from 'better-sqlite3';
import { isObject, isStoredPush, parsePush, type JsonObject, type StoredPush } from '../../protocol';
import { sqliteAgentsStore, sqliteWebhookOutbox } from './agents-sqlite';
import { migrate } from './schema';
import type {
  AppendResult,
  DialogRecord,
  InboundInput,
  InboundResult,
  InboxItem,
  InboxKind,
  LogBounds,
  NewDialog,
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
}

export const DEFAULT_RETENTION: Retention = { maxEvents: 1000, maxAgeDays: 30 };

type Row = Record<string, unknown>;

const DAY_MS = 24 * 60 * 60 * 1000;
const INBOX_KINDS: readonly string[] = ['start', 'message', 'postback', 'page_event', 'event'];

/** Our own rows are still an edge: a hand-edited or older database must not crash the server. */
function parseObject(text: unknown): JsonObject {
  if (typeof text !== 'string') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

function toDialog(row: Row): DialogRecord {
  return {
    id: str(row.id),
    endpoint: str(row.endpoint),
    organization: str(row.organization),
    createdAt: str(row.created_at),
    closedAt: typeof row.closed_at === 'string' ? row.closed_at : null,
    context: parseObject(row.context),
    state: parseObject(row.state),
    lastSeq: num(row.last_seq),
  };
}

function toItem(row: Row): InboxItem {
  const kind = str(row.kind);
  return {
    id: num(row.id),
    dialogId: str(row.dialog_id),
    kind: (INBOX_KINDS.includes(kind) ? kind : 'event') as InboxKind,
    payload: parseObject(row.payload),
    customId: typeof row.custom_id === 'string' ? row.custom_id : null,
    createdAt: str(row.created_at),
  };
}

/**
 * A stored push, read back through the same parser the widget uses (storage is an edge). A row that
 * is not a push (a damaged database) fails loudly rather than reaching a visitor as garbage.
 */
function toPush(row: Row): StoredPush {
  const parsed = parsePush({ action: str(row.action), type: 'push', payload: parseObject(row.payload) });
  if (!parsed.ok || !isStoredPush(parsed.value)) {
    throw new Error(`events row (${str(row.action)}) is not a stored push: ${parsed.ok ? 'ephemeral action' : parsed.error}`);
  }
  return parsed.value;
}

function toPushback(row: Row): PushbackRecord {
  return {
    id: str(row.id),
    dialogId: str(row.dialog_id),
    channelType: str(row.channel_type),
    botId: str(row.bot_id),
    event: str(row.event),
    eventData: parseObject(row.event_data),
    createdAt: str(row.created_at),
  };
}

/** Opens (creating if needed) the database at `path` (`:memory:` works) and migrates it. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const retention: Retention = { ...DEFAULT_RETENTION, ...options.retention };
  const now = options.now ?? (() => new Date());

  const q = {
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    putMeta: db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)'),
    insertDialog: db.prepare(
      `INSERT INTO dialogs (id, endpoint, organization, created_at, context, state) VALUES (?, ?, ?, ?, ?, '{}')`,
    ),
    getDialog: db.prepare('SELECT * FROM dialogs WHERE id = ?'),
    markClosed: db.prepare('UPDATE dialogs SET closed_at = ? WHERE id = ? AND closed_at IS NULL'),
    setContext: db.prepare('UPDATE dialogs SET context = ? WHERE id = ?'),
    setState: db.prepare('UPDATE dialogs SET state = ? WHERE id = ?'),
    openIds: db.prepare(
      'SELECT id FROM dialogs WHERE endpoint = ? AND closed_at IS NULL AND id > ? ORDER BY id LIMIT ?',
    ),
    isOpen: db.prepare('SELECT 1 FROM dialogs WHERE id = ? AND endpoint = ? AND closed_at IS NULL'),
    bumpSeq: db.prepare('UPDATE dialogs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
    byOrigin: db.prepare('SELECT action, payload FROM events WHERE origin = ?'),
    insertEvent: db.prepare(
      'INSERT INTO events (dialog_id, seq, action, payload, origin, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    trimCount: db.prepare('DELETE FROM events WHERE dialog_id = ? AND seq <= ?'),
    bounds: db.prepare(
      'SELECT d.last_seq AS last_seq, (SELECT MIN(seq) FROM events WHERE dialog_id = d.id) AS oldest FROM dialogs d WHERE d.id = ?',
    ),
    readLog: db.prepare(
      'SELECT action, payload FROM events WHERE dialog_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    ),
    byCustomId: db.prepare('SELECT * FROM inbox WHERE dialog_id = ? AND custom_id = ?'),
    insertItem: db.prepare(
      'INSERT INTO inbox (dialog_id, kind, payload, custom_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
    ),
    setAck: db.prepare('UPDATE inbox SET ack_seq = ? WHERE id = ?'),
    nextPending: db.prepare(
      'SELECT * FROM inbox WHERE dialog_id = ? AND processed_at IS NULL ORDER BY id LIMIT 1',
    ),
    markProcessed: db.prepare('UPDATE inbox SET processed_at = ? WHERE id = ?'),
    pendingDialogs: db.prepare('SELECT DISTINCT dialog_id FROM inbox WHERE processed_at IS NULL'),
    pushbackByOrigin: db.prepare('SELECT * FROM pushbacks WHERE origin = ?'),
    insertPushback: db.prepare(
      `INSERT INTO pushbacks (id, dialog_id, channel_type, bot_id, event, event_data, origin, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getPushback: db.prepare('SELECT * FROM pushbacks WHERE id = ? AND deleted_at IS NULL'),
    deletePushback: db.prepare('UPDATE pushbacks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
    trimEvents: db.prepare('DELETE FROM events WHERE created_at < ?'),
    trimInbox: db.prepare('DELETE FROM inbox WHERE processed_at IS NOT NULL AND processed_at < ?'),
  };

  const iso = (): string => now().toISOString();

  const appendTx = (dialogId: string, build: PushBuilder, origin: string | null): AppendResult => {
    if (origin !== null) {
      const existing = q.byOrigin.get(origin) as Row | undefined;
      if (existing) return { push: toPush(existing), inserted: false };
    }
    const bumped = q.bumpSeq.get(dialogId) as Row | undefined;
    if (!bumped) throw new Error(`dialog ${dialogId} does not exist`);
    const seq = num(bumped.last_seq);
    const createdAt = iso();
    const push = build(seq, createdAt);
    q.insertEvent.run(dialogId, seq, push.action, JSON.stringify(push.payload), origin, createdAt);
    // Lazy retention by count: one indexed range delete on the primary key.
    if (seq > retention.maxEvents) q.trimCount.run(dialogId, seq - retention.maxEvents);
    return { push, inserted: true };
  };

  const tx = {
    createDialog: db.transaction((input: NewDialog) => {
      const createdAt = iso();
      q.insertDialog.run(input.id, input.endpoint, input.organization, createdAt, JSON.stringify(input.context));
      const item = q.insertItem.get(input.id, 'start', '{}', null, createdAt) as Row;
      return { dialog: toDialog(q.getDialog.get(input.id) as Row), startItem: toItem(item) };
    }),
    append: db.transaction(appendTx),
    closeDialog: db.transaction((id: string, build: PushBuilder) => {
      const changed = q.markClosed.run(iso(), id).changes;
      return changed === 0 ? undefined : appendTx(id, build, null).push;
    }),
    accept: db.transaction((input: InboundInput): InboundResult => {
      const row = q.getDialog.get(input.dialogId) as Row | undefined;
      if (!row) return { status: 'missing' };
      if (input.requireOpen === true && row.closed_at !== null) return { status: 'closed' };
      if (input.customId !== undefined) {
        const seen = q.byCustomId.get(input.dialogId, input.customId) as Row | undefined;
        if (seen) return { status: 'duplicate', item: toItem(seen), seq: seen.ack_seq == null ? null : num(seen.ack_seq) };
      }
      const item = toItem(
        q.insertItem.get(input.dialogId, input.kind, JSON.stringify(input.payload), input.customId ?? null, iso()) as Row,
      );
      if (!input.push) return { status: 'accepted', item };
      const { push } = appendTx(input.dialogId, input.push, `${item.id}:0`);
      q.setAck.run(push.payload.seq, item.id);
      return { status: 'accepted', item, push };
    }),
    enqueue: db.transaction((ids: readonly string[], payload: string) => {
      const createdAt = iso();
      return ids.map((id) => toItem(q.insertItem.get(id, 'event', payload, null, createdAt) as Row));
    }),
    finish: db.transaction((itemId: number, dialogId: string, state: string | undefined) => {
      if (state !== undefined) q.setState.run(state, dialogId);
      q.markProcessed.run(iso(), itemId);
    }),
    createPushback: db.transaction((r: PushbackRecord, origin: string | null) => {
      if (origin !== null) {
        const existing = q.pushbackByOrigin.get(origin) as Row | undefined;
        if (existing) return toPushback(existing);
      }
      q.insertPushback.run(r.id, r.dialogId, r.channelType, r.botId, r.event, JSON.stringify(r.eventData), origin, r.createdAt);
      return r;
    }),
  };

  // Wraps a synchronous body so that a failure becomes a rejected promise, never a throw.
  const run = <T>(body: () => T): Promise<T> => {
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error);
    }
  };

  return {
    agents: sqliteAgentsStore(db),
    webhooks: sqliteWebhookOutbox(db),
    getMeta: (key) => run(() => (q.getMeta.get(key) as Row | undefined)?.value as string | undefined),
    putMetaIfAbsent: (key, value) =>
      run(() => {
        q.putMeta.run(key, value);
        return str((q.getMeta.get(key) as Row).value);
      }),
    createDialog: (input) => run(() => tx.createDialog(input)),
    getDialog: (id) =>
      run(() => {
        const row = q.getDialog.get(id) as Row | undefined;
        return row ? toDialog(row) : undefined;
      }),
    closeDialog: (id, build) => run(() => tx.closeDialog(id, build)),
    updateContext: (id, context) => run(() => q.setContext.run(JSON.stringify(context), id).changes > 0),
    openDialogIds: (endpoint, afterId, limit) =>
      run(() => (q.openIds.all(endpoint, afterId, limit) as Row[]).map((r) => str(r.id))),
    filterOpenDialogs: (endpoint, ids) => run(() => ids.filter((id) => q.isOpen.get(id, endpoint) !== undefined)),
    append: (dialogId, build, origin) => run(() => tx.append(dialogId, build, origin ?? null)),
    logBounds: (dialogId): Promise<LogBounds> =>
      run(() => {
        const row = q.bounds.get(dialogId) as Row | undefined;
        const lastSeq = row ? num(row.last_seq) : 0;
        return { lastSeq, oldestSeq: row && row.oldest != null ? num(row.oldest) : lastSeq + 1 };
      }),
    readLog: (dialogId, { after, until, limit }: ReadLogOptions) =>
      run(() =>
        (q.readLog.all(dialogId, after, until ?? Number.MAX_SAFE_INTEGER, limit ?? -1) as Row[]).map(toPush),
      ),
    acceptInbound: (input) => run(() => tx.accept(input)),
    enqueueEvents: (ids, payload) => run(() => tx.enqueue(ids, JSON.stringify(payload))),
    nextPending: (dialogId) =>
      run(() => {
        const row = q.nextPending.get(dialogId) as Row | undefined;
        return row ? toItem(row) : undefined;
      }),
    finishItem: (itemId, dialogId, state) =>
      run(() => tx.finish(itemId, dialogId, state === undefined ? undefined : JSON.stringify(state))),
    pendingDialogIds: () => run(() => (q.pendingDialogs.all() as Row[]).map((r) => str(r.dialog_id))),
    createPushback: (record, origin) => run(() => tx.createPushback(record, origin ?? null)),
    getPushback: (id) =>
      run(() => {
        const row = q.getPushback.get(id) as Row | undefined;
        return row ? toPushback(row) : undefined;
      }),
    deletePushback: (id) => run(() => q.deletePushback.run(iso(), id).changes > 0),
    trim: (at) =>
      run(() => {
        const cutoff = new Date(at.getTime() - retention.maxAgeDays * DAY_MS).toISOString();
        q.trimEvents.run(cutoff);
        q.trimInbox.run(cutoff);
      }),
    close: () =>
      run(() => {
        if (db.open) db.close();
      }),
  };
}
