/**
 * What reaches a chat from outside, as ONE discriminated union shared by the intake (which stores
 * it), the runtime (which dispatches it to the bot) and the store (which keeps it in the inbox).
 * Routes and websocket actions parse their input into an {@link Inbound}; from there on a payload
 * is typed all the way to the bot handler. The inbox row is an edge like any other: it is written
 * by {@link toInboxRow} and read back only through {@link fromInboxRow} (after a restart).
 */
import { isObject, type JsonObject } from '../../protocol';

/** A visitor's text message. */
export interface VisitorMessage {
  kind: 'message';
  text: string;
  /** The id of the stored `incoming_event`. */
  eventId: string;
  customId?: string;
}

/** A quick reply picked (or un-toggled) by the visitor. */
export interface Postback {
  kind: 'postback';
  /** The message the quick reply belongs to. */
  eventId: string;
  postback: { id: string; toggled: boolean };
  customId?: string;
  /** What the transcript shows for it (a button's title); only in the visitor's push, not for the bot. */
  shown?: string;
}

/** A file the visitor sent (POST /files): stored already; the bot gets it in `onFile`. */
export interface FileUpload {
  kind: 'file';
  file: { id: string; name: string; contentType: string; size: number };
  /** The id of the stored `incoming_event` that shows it. */
  eventId: string;
  customId?: string;
}

/** `pageEvent(alias, body)` from the host page. */
export interface PageEvent {
  kind: 'page_event';
  alias: string;
  body?: JsonObject;
  customId?: string;
}

/** A pushback activated through the pushgate. */
export interface PushbackEvent {
  kind: 'pushback';
  pushbackId: string;
  event: string;
  eventData: JsonObject;
  /** From the request's Idempotency-Key: a retry stores nothing new, even after its node died mid-answer. */
  customId?: string;
}

/** An external event (`POST /api/v1/events/{event}`), as it reaches one chat. */
export interface ExternalEvent {
  kind: 'external';
  event: string;
  data: JsonObject;
  /** Sent to everyone: an `incoming_multicast` is stored in the chat with it. */
  multicast: boolean;
}

/** A new conversation began (stored with the chat or thread, not through the intake). */
export interface ConversationStart {
  kind: 'start';
}

/** Everything a bot turn can be about: the union the runtime dispatches on. */
export type ChatInput = VisitorMessage | Postback | FileUpload | PageEvent | PushbackEvent | ExternalEvent | ConversationStart;

/** The kinds stored in the inbox's `kind` column (kept from the first schema: old rows still read). */
export type InboxKind = 'start' | 'message' | 'postback' | 'file' | 'page_event' | 'event';

export interface InboxRow {
  kind: InboxKind;
  payload: JsonObject;
  customId: string | null;
}

/** The inbox row of an input. The payload keys are those every release so far has written. */
export function toInboxRow(input: ChatInput): InboxRow {
  switch (input.kind) {
    case 'start':
      return { kind: 'start', payload: {}, customId: null };
    case 'message':
      return { kind: 'message', payload: { text: input.text, event_id: input.eventId }, customId: input.customId ?? null };
    case 'postback':
      return {
        kind: 'postback',
        payload: { text: input.postback.id, event_id: input.eventId, toggled: input.postback.toggled },
        customId: input.customId ?? null,
      };
    case 'file':
      return {
        kind: 'file',
        payload: {
          event_id: input.eventId,
          file: { id: input.file.id, name: input.file.name, content_type: input.file.contentType, size: input.file.size },
        },
        customId: input.customId ?? null,
      };
    case 'page_event':
      return {
        kind: 'page_event',
        payload: input.body === undefined ? { alias: input.alias } : { alias: input.alias, body: input.body },
        customId: input.customId ?? null,
      };
    case 'pushback':
      return {
        kind: 'event',
        payload: { event: input.event, eventData: input.eventData, source: 'pushback', pushbackId: input.pushbackId },
        customId: input.customId ?? null,
      };
    case 'external':
      return {
        kind: 'event',
        payload: { event: input.event, eventData: input.data, source: 'external', ...(input.multicast ? { multicast: true } : {}) },
        customId: null,
      };
  }
}

const text = (payload: JsonObject, key: string): string => {
  const value = payload[key];
  return typeof value === 'string' ? value : '';
};

const object = (payload: JsonObject, key: string): JsonObject => {
  const value = payload[key];
  return isObject(value) ? value : {};
};

/** Reads an inbox row back (a damaged or older row still yields a well-typed input). */
export function fromInboxRow(kind: string, payload: JsonObject, customId: string | null): ChatInput {
  const custom = customId === null ? {} : { customId };
  switch (kind) {
    case 'start':
      return { kind: 'start' };
    case 'message':
      return { kind: 'message', text: text(payload, 'text'), eventId: text(payload, 'event_id'), ...custom };
    case 'postback':
      return {
        kind: 'postback',
        eventId: text(payload, 'event_id'),
        postback: { id: text(payload, 'text'), toggled: payload.toggled !== false },
        ...custom,
      };
    case 'file': {
      const file = object(payload, 'file');
      const size = Number(file.size);
      return {
        kind: 'file',
        eventId: text(payload, 'event_id'),
        file: { id: text(file, 'id'), name: text(file, 'name'), contentType: text(file, 'content_type'), size: Number.isSafeInteger(size) ? size : 0 },
        ...custom,
      };
    }
    case 'page_event':
      return { kind: 'page_event', alias: text(payload, 'alias'), ...(isObject(payload.body) ? { body: payload.body } : {}), ...custom };
    default:
      if (payload.source === 'pushback') {
        return { kind: 'pushback', pushbackId: text(payload, 'pushbackId'), event: text(payload, 'event'), eventData: object(payload, 'eventData'), ...custom };
      }
      return { kind: 'external', event: text(payload, 'event'), data: object(payload, 'eventData'), multicast: payload.multicast === true };
  }
}
