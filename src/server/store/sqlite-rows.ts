/**
 * Rows of the SQLite store read back into records. Our own rows are still an edge: a hand-edited
 * or older database must not crash the server, and a stored push is parsed like a received one.
 */
import { isObject, isStoredPush, parsePush, type JsonObject, type StoredPush } from '../../protocol';
import { fromInboxRow } from '../chat/inbound';
import type { ChatRecord, ChatUser, InboxItem, InboxKind, PushbackRecord, ThreadRecord } from './types';

export type Row = Record<string, unknown>;

const INBOX_KINDS: readonly string[] = ['start', 'message', 'postback', 'page_event', 'event'];

export function parseObject(text: unknown): JsonObject {
  if (typeof text !== 'string') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const optionalStr = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The stored profile of a verified visitor (the `user` column): what it said of itself besides its id. */
export const profileText = (user: ChatUser): string => JSON.stringify({ name: user.name, email: user.email });

function toUser(id: unknown, profile: unknown): ChatUser | null {
  if (typeof id !== 'string') return null;
  const p = parseObject(profile);
  return {
    id,
    ...(typeof p.name === 'string' ? { name: p.name } : {}),
    ...(typeof p.email === 'string' ? { email: p.email } : {}),
  };
}

/** A thread from `threads` columns; `prefix` reads the joined `t_*` columns of a chat row. */
export function toThread(row: Row, prefix = ''): ThreadRecord {
  return {
    id: str(row[`${prefix}id`]),
    chatId: str(row[`${prefix}chat_id`]),
    createdAt: str(row[`${prefix}created_at`]),
    closedAt: optionalStr(row[`${prefix}closed_at`]),
    startSeq: num(row[`${prefix}start_seq`]),
  };
}

/** A chat row joined with its current thread's columns as `t_*`. */
export function toChat(row: Row): ChatRecord {
  return {
    id: str(row.id),
    endpoint: str(row.endpoint),
    organization: str(row.organization),
    createdAt: str(row.created_at),
    user: toUser(row.user_id, row.user),
    context: parseObject(row.context),
    state: parseObject(row.state),
    lastRequest: typeof row.last_request === 'string' ? parseObject(row.last_request) : undefined,
    lastSeq: num(row.last_seq),
    thread: toThread(row, 't_'),
  };
}

export function toItem(row: Row): InboxItem {
  const kind = str(row.kind);
  const payload = parseObject(row.payload);
  const customId = optionalStr(row.custom_id);
  return {
    id: num(row.id),
    chatId: str(row.chat_id),
    input: fromInboxRow(kind, payload, customId),
    kind: (INBOX_KINDS.includes(kind) ? kind : 'event') as InboxKind,
    payload,
    customId,
    createdAt: str(row.created_at),
  };
}

/**
 * A stored push, read back through the same parser the widget uses (storage is an edge). A row that
 * is not a push (a damaged database) fails loudly rather than reaching a visitor as garbage.
 */
export function toPush(row: Row): StoredPush {
  const parsed = parsePush({ action: str(row.action), type: 'push', payload: parseObject(row.payload) });
  if (!parsed.ok || !isStoredPush(parsed.value)) {
    throw new Error(`events row (${str(row.action)}) is not a stored push: ${parsed.ok ? 'ephemeral action' : parsed.error}`);
  }
  return parsed.value;
}

export function toPushback(row: Row): PushbackRecord {
  return {
    id: str(row.id),
    chatId: str(row.chat_id),
    channelType: str(row.channel_type),
    botId: str(row.bot_id),
    event: str(row.event),
    eventData: parseObject(row.event_data),
    createdAt: str(row.created_at),
  };
}
