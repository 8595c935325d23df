/**
 * The websocket wire contract, in the envelope of the LiveChat RTM API:
 * request `{request_id, action, payload}`, response `{request_id, action, type: 'response', success, payload | error}`,
 * push `{action, type: 'push', payload}`. docs/protocol.md documents every action.
 */
import type { ErrorBody } from './errors';
import type { JsonObject } from './result';
import type { VisitorIdentity } from './visitor';

/** Endpoint settings delivered at login and in `chat_properties_updated`. */
export interface ChatSettings {
  /** The title in the endpoint's default language. */
  title: string;
  subtitle?: string;
  theme: Record<string, string>;
  /** The title by language tag (`{ en: 'Help', es: 'Ayuda' }`), when the endpoint translates it; the widget picks its `lang`. */
  titles?: Record<string, string>;
  /** The subtitle by language tag. */
  subtitles?: Record<string, string>;
}

/** One message in the transcript. */
export interface ChatMessage {
  id: string;
  type: 'message';
  author: 'bot' | 'visitor' | 'agent';
  /** The agent's id and name, on an agent's message (docs/agent-api.md). */
  author_id?: string;
  author_name?: string;
  text: string;
  quick_replies?: string[];
  /** Buttons, an image or cards that come with a bot message (`ctx.say` options; docs/protocol.md). */
  rich?: RichContent;
  /** A file the visitor sent (`text` is its name); docs/protocol.md, "Visitor files". */
  file?: ChatFile;
  /** The client-chosen id of a visitor message, echoed so the sender can match it. */
  custom_id?: string;
  created_at: string;
}

/**
 * A visitor's file, with the fields of LiveChat's `file` event. `content_type` was sniffed from the
 * bytes by the server. `url` is signed and expires (docs/http-api.md, "Visitor files"): the server
 * adds a fresh one to every delivery, so it is absent where the push is stored.
 */
export interface ChatFile {
  id: string;
  name: string;
  content_type: string;
  /** Bytes. */
  size: number;
  url?: string;
}

/**
 * A button of a rich message, as LiveChat's: `url` opens `value` (http or https) in a new tab;
 * `message` answers like a quick reply: the transcript shows `text`, the bot gets `value`.
 */
export interface RichButton {
  type: 'url' | 'message';
  text: string;
  value: string;
}

/** An image of a rich message (LiveChat's `alternative_text` is the `alt`). */
export interface RichImage {
  url: string;
  alternative_text: string;
}

/** One element of LiveChat's `cards` template. One without a `title` holds the message's own image and buttons. */
export interface RichElement {
  title?: string;
  subtitle?: string;
  image?: RichImage;
  buttons?: RichButton[];
}

/**
 * The rich part of a bot message, in the shape of LiveChat's `rich_message` event: a template
 * and its elements. Several titled elements form a carousel of cards.
 */
export interface RichContent {
  template_id: 'cards';
  elements: RichElement[];
}

// ---- requests (client -> server) -------------------------------------------------------------

export interface LoginPayload {
  /** Session token from an earlier login; absent for a new visitor. */
  token?: string;
  /** Last `seq` the client has seen; pushes after it follow the response. */
  last_seq?: number;
  /** Ask for the stored pushes up to `last_seq` (a page that reloaded and lost its transcript). */
  history?: boolean;
  /** A verified visitor: the chat is the one keyed by `user.id` (docs/protocol.md, "Verified visitors"). */
  user?: VisitorIdentity;
  /** Close the token's current thread and start a new one in the same chat (a reset made while offline). */
  new_thread?: boolean;
  /** Context for a conversation that starts now (`payload.user.context`). */
  context?: JsonObject;
}

export interface StartChatPayload {
  context?: JsonObject;
}

export interface SendEventPayload {
  event: { type: 'message'; text: string; custom_id: string };
}

export interface PostbackPayload {
  /** The bot message whose quick reply (or `message` button) was picked. */
  event_id: string;
  /** `id`: the reply's text, or the button's `value` (what the bot's onMessage gets). */
  postback: { id: string; toggled: boolean };
  custom_id: string;
  /** What the transcript shows as the visitor's answer when it is not `postback.id`: a button's title. */
  text?: string;
}

export interface PageEventPayload {
  alias: string;
  body?: JsonObject;
  custom_id: string;
}

export interface UpdateContextPayload {
  context: JsonObject;
}

/** What the visitor is typing, before it is sent (LiveChat's `send_sneak_peek`); empty when the draft was cleared. */
export interface SneakPeekPayload {
  sneak_peek_text: string;
}

/** The page the visitor is on: at login and after each single-page-app navigation. */
export interface CustomerPagePayload {
  url: string;
  title: string;
  referrer: string;
}

export interface RequestPayloads {
  login: LoginPayload;
  start_chat: StartChatPayload;
  send_event: SendEventPayload;
  send_rich_message_postback: PostbackPayload;
  page_event: PageEventPayload;
  update_context: UpdateContextPayload;
  ping: Record<string, never>;
  send_sneak_peek: SneakPeekPayload;
  update_customer_page: CustomerPagePayload;
}

export type RequestAction = keyof RequestPayloads;

export type ClientRequest = {
  [A in RequestAction]: { request_id: string; action: A; payload: RequestPayloads[A] };
}[RequestAction];

// ---- responses (server -> client) ------------------------------------------------------------

export interface LoginResponse {
  /** The visitor's chat with this endpoint: stable across conversations (threads). */
  chat_id: string;
  /** The visitor's id; equals `chat_id` (the seed's `channelUserId`). */
  customer_id: string;
  /** The current conversation (thread) of the chat. */
  thread_id: string;
  /** The chat's `seq` before the thread began: the thread's pushes have `seq > thread_seq`. */
  thread_seq: number;
  token: string;
  /** True when the token's chat was resumed, false when a new chat began. */
  resumed: boolean;
  /**
   * False when the client's `last_seq` can no longer be served (trimmed by retention, or newer
   * than the chat): `history` then holds every retained push of the thread and the client rebuilds from it.
   */
  recovered: boolean;
  /** Newest `seq` in the chat when the response was written. */
  last_seq: number;
  /**
   * The thread's stored pushes with `seq <= last_seq` of the request (when asked); all its retained
   * ones when not recovered or when the request's `last_seq` lies before the thread.
   */
  history: Push[];
  settings: ChatSettings;
}

export interface ResponsePayloads {
  login: LoginResponse;
  start_chat: LoginResponse;
  send_event: { event_id: string; seq: number };
  send_rich_message_postback: { event_id: string; seq: number };
  page_event: { accepted: true };
  update_context: Record<string, never>;
  ping: Record<string, never>;
  send_sneak_peek: Record<string, never>;
  update_customer_page: Record<string, never>;
}

export type ResponseFrame =
  | {
      [A in RequestAction]: {
        request_id: string;
        action: A;
        type: 'response';
        success: true;
        payload: ResponsePayloads[A];
      };
    }[RequestAction]
  | { request_id: string; action: string; type: 'response'; success: false; error: ErrorBody };

// ---- pushes (server -> client) ---------------------------------------------------------------

/** Pushes stored in the chat's log; each carries the chat's next `seq` (continuing across its threads). */
export interface StoredPushPayloads {
  incoming_event: { chat_id: string; seq: number; event: ChatMessage };
  incoming_rich_message_postback: {
    chat_id: string;
    seq: number;
    event_id: string;
    postback: { id: string; toggled: boolean };
    custom_id?: string;
    /** The visitor's answer as shown, when it is not `postback.id` (a button's title). */
    text?: string;
    created_at: string;
  };
  host_notification: { chat_id: string; seq: number; message: string };
  incoming_multicast: { chat_id: string; seq: number; type: string; content: JsonObject };
  /** `thread_id` is absent in pushes stored before chats had threads. */
  thread_closed: { chat_id: string; seq: number; thread_id?: string };
  /** An agent joined the chat ("Alice joined"). */
  chat_user_added: { chat_id: string; seq: number; user: { id: string; name: string; type: 'agent' }; user_type: 'agent' };
  /** An agent left the chat ("Alice left"); `user_name` so the line needs no earlier push. */
  chat_user_removed: { chat_id: string; seq: number; user_id: string; user_name: string; user_type: 'agent' };
  /** The bot handed the chat to people (`ctx.handoff()`): `routing.status` is `queued`. */
  chat_thread_properties_updated: { chat_id: string; seq: number; properties: { routing: { status: 'queued' } } };
}

/** Pushes that are not stored and carry no `seq`. */
export interface EphemeralPushPayloads {
  /** `author_id` is `bot` or an agent's id (then `author_name` is the agent's name). */
  incoming_typing_indicator: { chat_id: string; typing_indicator: { author_id: string; author_name?: string; is_typing: boolean } };
  chat_properties_updated: { chat_id: string; properties: ChatSettings };
}

export type StoredPushAction = keyof StoredPushPayloads;
export type PushAction = StoredPushAction | keyof EphemeralPushPayloads;
type PushPayloads = StoredPushPayloads & EphemeralPushPayloads;

export type Push = {
  [A in PushAction]: { action: A; type: 'push'; payload: PushPayloads[A] };
}[PushAction];

export type StoredPush = {
  [A in StoredPushAction]: { action: A; type: 'push'; payload: StoredPushPayloads[A] };
}[StoredPushAction];

export type ServerFrame = ResponseFrame | Push;

export const STORED_PUSH_ACTIONS: readonly StoredPushAction[] = [
  'incoming_event',
  'incoming_rich_message_postback',
  'host_notification',
  'incoming_multicast',
  'thread_closed',
  'chat_user_added',
  'chat_user_removed',
  'chat_thread_properties_updated',
];

/** A Set, not `STORED_PUSH_ACTIONS.includes`: a host page may break `Array.prototype` after the widget loaded. */
const STORED_PUSH_ACTION_SET: ReadonlySet<string> = new Set(STORED_PUSH_ACTIONS);

export function isStoredPush(push: Push): push is StoredPush {
  return STORED_PUSH_ACTION_SET.has(push.action);
}

/** Host notifications starting with this prefix are private: handled by the widget, never emitted. */
export const PRIVATE_NOTIFICATION_PREFIX = 'SB:::';
export const USER_INPUT_DISABLED = 'SB:::UserInputDisabled';
export const USER_INPUT_ENABLED = 'SB:::UserInputEnabled';
