/** What the api layer needs from its environment; `init` passes the browser's, tests pass fakes. */
import type { JsonObject } from '../protocol';
import type { ChatClientEvents, ChatClientOptions, ConnectionState, OutboxItem, Queues, QueuesFactory } from '../client';
import type { LazyModule } from './lazy';

/** The members of `ChatClient` (src/client) the api layer uses. */
export interface ChatClientLike {
  on<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): unknown;
  off<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): unknown;
  connect(): unknown;
  pageEvent(alias: string, body?: JsonObject): Promise<void>;
  updateContext(context: JsonObject): Promise<void>;
  startNewChat(): Promise<void>;
  destroy(): unknown;
  /** Called on the window's `online` event: retry now rather than at the next backoff. */
  onOnline(): void;
  /** Called on the window's `offline` event: drop the socket now rather than after the dead-peer timeout. */
  onOffline(): void;
  /** Hands over the outbox, context and reports, which come with the lazy chunk. */
  attachQueues(create: QueuesFactory): void;
  /** True while page events, a context update or a stored outbox wait for {@link attachQueues}. */
  readonly needsQueues: boolean;
  readonly state: ConnectionState;
  readonly outboxItems: readonly OutboxItem[];
  /**
   * The queues once attached, until destroy (the lazy chunk's side sends through them): the
   * visitor's messages and picks, drafts for agents' sneak peeks, the pages the visitor is on.
   */
  readonly queues: Pick<Queues, 'sendMessage' | 'sendPostback' | 'draft' | 'page'> | undefined;
  /** The session token, once logged in (file uploads send it). */
  readonly token?: string | undefined;
}

export interface MessengerDeps {
  /** The page: its document (DOM, `container`), `localStorage`, `WebSocket` and language. */
  window: Window & typeof globalThis;
  /** Builds the connection (`createChatClient(options)` in the browser). */
  createClient(options: ChatClientOptions): ChatClientLike;
  /** The `serverUrl` used when the option is absent. */
  defaultServerUrl(): string;
  /**
   * Loads the lazy chunk (lazy.ts: the panel, the page reports): `import()` from the server in
   * the IIFE, a split chunk in the ES module build. `attempt` counts retries from 0.
   */
  loadPanel(attempt: number): LazyModule | Promise<LazyModule>;
}
