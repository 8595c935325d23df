/**
 * The surface of the browser connection. The api layer codes against these types only.
 * Nothing here knows of Preact, the DOM or the host page: the WebSocket constructor, the clock
 * and the storage are injected so the client runs in Node tests.
 */
import type { ChatSettings, ErrorBody, JsonObject, StoredPush, VisitorIdentity } from '../protocol';
import type { Queues, QueuesDeps } from './queues';

/** `createQueues` of queues.ts: the outbox, context and reports, which may be loaded after the rest. */
export type QueuesFactory = (deps: QueuesDeps, storedOutbox: readonly unknown[]) => Queues;

/** The subset of the browser WebSocket the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = new (url: string) => WebSocketLike;

/** localStorage-like; every method may throw (private mode, quota, a hostile page). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
  /** A number in [0, 1): the source of backoff jitter. */
  random(): number;
}

export type Logger = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown) => void;

export interface ChatClientOptions {
  /** Full websocket URL, e.g. `ws://127.0.0.1:8080/ws?organization=acme&endpoint=acme-demo`. */
  url: string;
  /** Key under which the session (token, chat id, last seq, outbox) is persisted. */
  storageKey: string;
  storage: KeyValueStorage;
  WebSocket: WebSocketFactory;
  /** Default: the global timers, `Date.now` and `Math.random`. */
  clock?: Clock;
  /** The context sent when a conversation starts (read at each login / new chat). */
  getContext: () => JsonObject;
  /** Ignore the stored session and start a new conversation on the first connect. Default false. */
  resetOnLoad?: boolean;
  /** A verified visitor, sent with every login; a refusal stops the client (state `closed`). Default none. */
  user?: VisitorIdentity;
  logger?: Logger;
}

/** `idle` before connect(); `connecting` until the login response; `ready` while logged in;
 * `reconnecting` while waiting to retry after a drop; `closed` after destroy(). */
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** A visitor message, postback or page event waiting to be accepted by the server. */
export type OutboxItem =
  | { kind: 'message'; customId: string; text: string; createdAt: string }
  /** `text`: the reply's text or the button's postback (what the bot gets); `title`: what the transcript shows, when it differs. */
  | { kind: 'postback'; customId: string; eventId: string; text: string; title?: string; createdAt: string }
  | { kind: 'page_event'; customId: string; alias: string; body?: JsonObject; createdAt: string };

export interface ConversationLoaded {
  /** The visitor's chat: stable across conversations. */
  chatId: string;
  /** The conversation (thread) loaded: a new one after a reset. */
  threadId: string;
  settings: ChatSettings;
  /** The transcript to render in place of whatever is shown (already-seen pushes: never re-emit host notifications from it). */
  history: StoredPush[];
  /** True when this is another thread than the one loaded before in this page (first load, reset, or a closed thread replaced). */
  isNewConversation: boolean;
}

export type ChatClientEvents = {
  state: ConnectionState;
  /** After each login whose transcript the UI must (re)build: first load, reset, or a resume that could not be recovered. Not emitted for a plain reconnect that recovered. */
  conversation: ConversationLoaded;
  /** A new stored push of the current chat, exactly once per page, in `seq` order. */
  push: StoredPush;
  /** Who is typing: `false` nobody, `true` the bot, a string the name of the agent typing. */
  typing: boolean | string;
  settings: ChatSettings;
  /** The outbox changed (items added, accepted or dropped). */
  outbox: readonly OutboxItem[];
  /** A runtime failure (a request refused, storage failing, a bad frame). Never thrown. */
  error: ErrorBody;
};
