/**
 * The transcript as the panel shows it, built from the conversation's stored pushes
 * (`UiState.pushes`). Pure functions, in the panel chunk.
 */
import { TEXT_CHARS, type JsonObject, type RichContent, type StoredPush } from '../protocol';
import { readFile, type ShownFile } from './file';
import { readRich } from './rich';
import type { PendingMessage } from './state';

export type TranscriptItem =
  | {
      kind: 'message';
      /** The bot message's event id (what a postback refers to), or a key made from the push's `seq`. */
      id: string;
      author: 'bot' | 'visitor' | 'agent';
      /** An agent's name, shown on its messages. */
      authorName?: string;
      text: string;
      /** When it was stored (ISO 8601). */
      at: string;
      quickReplies?: readonly string[];
      /** Buttons, an image or cards with a bot message, read from the wire (rich.ts). */
      rich?: RichContent;
      /** A visitor's file, read from the wire (file.ts). */
      file?: ShownFile;
      /** The client-chosen id of a visitor message or reply: matches it to its pending copy. */
      customId?: string;
    }
  | { kind: 'ended'; id: string }
  /**
   * A line about people in the chat (an agent joined or left, or the bot handed the chat over;
   * `name` is the agent's), or an announcement to everyone (`incoming_multicast`; `name` is its text).
   */
  | { kind: 'notice'; id: string; notice: 'joined' | 'left' | 'queued' | 'announcement'; name?: string };

/** Appends what `push` shows, or returns `items` itself when the push shows nothing. */
export function applyPush(items: readonly TranscriptItem[], push: StoredPush): readonly TranscriptItem[] {
  const item = toItem(push);
  return item ? [...items, item] : items;
}

/** The transcript a history (stored pushes in `seq` order) shows. */
export function transcriptFromHistory(history: readonly StoredPush[]): readonly TranscriptItem[] {
  return history.reduce(applyPush, [] as readonly TranscriptItem[]);
}

let cache: { pushes: readonly StoredPush[]; items: readonly TranscriptItem[] } = { pushes: [], items: [] };

/**
 * {@link transcriptFromHistory}, remembered: the store appends live pushes to a copy of the
 * array, so when `pushes` extends the last one only the new tail is applied (one render per push
 * stays O(1) however long the conversation).
 */
export function transcriptOf(pushes: readonly StoredPush[]): readonly TranscriptItem[] {
  const last = cache.pushes;
  if (pushes === last) return cache.items;
  const appended = last.length > 0 && pushes.length >= last.length && pushes[last.length - 1] === last[last.length - 1] && pushes[0] === last[0];
  const items = appended ? pushes.slice(last.length).reduce(applyPush, cache.items) : transcriptFromHistory(pushes);
  cache = { pushes, items };
  return items;
}

function toItem(push: StoredPush): TranscriptItem | undefined {
  switch (push.action) {
    case 'incoming_event': {
      const { event } = push.payload;
      return {
        kind: 'message',
        id: event.id,
        author: event.author,
        ...(event.author_name === undefined ? {} : { authorName: event.author_name }),
        text: event.text,
        at: event.created_at,
        quickReplies: event.quick_replies,
        ...(event.rich === undefined ? {} : { rich: readRich(event.rich) }),
        ...(event.file === undefined ? {} : { file: readFile(event.file) }),
        customId: event.custom_id,
      };
    }
    case 'incoming_rich_message_postback':
      // The visitor's words: a button's title, else the picked reply's text (its postback id; docs/protocol.md).
      return {
        kind: 'message',
        id: `postback-${push.payload.seq}`,
        author: 'visitor',
        text: push.payload.text ?? push.payload.postback.id,
        at: push.payload.created_at,
        customId: push.payload.custom_id,
      };
    case 'thread_closed':
      return { kind: 'ended', id: `ended-${push.payload.seq}` };
    case 'chat_user_added':
      return { kind: 'notice', id: `notice-${push.payload.seq}`, notice: 'joined', name: push.payload.user.name };
    case 'chat_user_removed':
      return { kind: 'notice', id: `notice-${push.payload.seq}`, notice: 'left', name: push.payload.user_name };
    case 'chat_thread_properties_updated':
      return { kind: 'notice', id: `notice-${push.payload.seq}`, notice: 'queued' };
    case 'incoming_multicast':
      return { kind: 'notice', id: `notice-${push.payload.seq}`, notice: 'announcement', name: announcement(push.payload.type, push.payload.content) };
    // Host notifications are for the host page, not the transcript.
    case 'host_notification':
      return undefined;
  }
}

/**
 * The line an external event sent to everyone shows: its data's `text` (or `message`, or
 * `title`) when it has one, else the event's name.
 */
function announcement(type: string, content: JsonObject): string {
  for (const key of ['text', 'message', 'title']) {
    const value = content[key];
    if (typeof value === 'string' && value.trim() !== '') return value.slice(0, TEXT_CHARS);
  }
  return type;
}

/** Pending items whose echo has not arrived yet (the outbox may lag the echo by a frame). */
export function visiblePending(
  items: readonly TranscriptItem[],
  pending: readonly PendingMessage[],
): readonly PendingMessage[] {
  if (pending.length === 0) return pending;
  const echoed = new Set(items.map((item) => (item.kind === 'message' ? item.customId : undefined)));
  return pending.filter((p) => !echoed.has(p.customId));
}

/**
 * The quick replies to offer: those of the newest bot message that has some, as long as the
 * visitor has not spoken (sent, picked or is sending) since and the conversation has not ended.
 */
export function activeQuickReplies(
  items: readonly TranscriptItem[],
  pending: readonly PendingMessage[],
): { eventId: string; replies: readonly string[] } | undefined {
  if (pending.length > 0) return undefined;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item?.kind === 'notice') continue;
    if (!item || item.kind === 'ended' || item.author === 'visitor') return undefined;
    if (item.quickReplies?.length) return { eventId: item.id, replies: item.quickReplies };
  }
  return undefined;
}
