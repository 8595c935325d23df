/**
 * The browser connection of the widget: wires the {@link Transport} (socket, heartbeat,
 * backoff), the {@link Conversation} (login, resume, pushes) and the queues (outbox, context)
 * behind one small API. Runtime failures become `error` events; only bad arguments throw
 * (TypeError).
 */
import { CLOSE_NORMAL, CONTEXT_CHARS, isBoundedObject, type ClientRequest, type CustomerPagePayload, type ErrorBody, type JsonObject, type RequestAction } from '../protocol';
import { backoffDelay } from './backoff';
import { systemClock } from './clock';
import { createContextSync, type ContextSync } from './context-sync';
import { createConversation, type Conversation } from './conversation';
import { messageItem, newCustomId, outboxRequest, pageEventItem, postbackItem } from './outbox-items';
import { createOutboxQueue, type OutboxQueue } from './outbox-queue';
import { createPendingRequests, type PendingRequests, type RequestHandlers } from './pending-requests';
import { SafeEmitter } from './safe-emitter';
import { createSessionStore, type SessionStore } from './session-store';
import { createTimers, type Timers } from './timers';
import { createTransport, type Transport } from './transport';
import { createVisitorReports, type VisitorReports } from './visitor-reports';
import type { ChatClientEvents, ChatClientOptions, Clock, ConnectionState, Logger, OutboxItem } from './types';

/** Defaults of the optional numeric {@link ChatClientOptions}. */
export const CLIENT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  pingIntervalMs: 15_000,
  deadPeerMs: 35_000,
  minReconnectDelayMs: 500,
  maxReconnectDelayMs: 20_000,
} as const;

const destroyedError = (): ErrorBody => ({ type: 'internal', message: 'the chat client was destroyed' });

/**
 * Construct, subscribe with {@link ChatClient.on}, then {@link ChatClient.connect}.
 * Option defaults: {@link CLIENT_DEFAULTS}; `clock` the real timers, `Date.now` and
 * `Math.random`; `resetOnLoad` false; `logger` silent.
 */
export class ChatClient {
  readonly #options: ChatClientOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #events: SafeEmitter<ChatClientEvents>;
  readonly #timers: Timers;
  readonly #requests: PendingRequests;
  readonly #store: SessionStore;
  readonly #transport: Transport;
  readonly #conversation: Conversation;
  readonly #outbox: OutboxQueue;
  readonly #context: ContextSync;
  readonly #reports: VisitorReports;

  #state: ConnectionState = 'idle';
  #destroyed = false;
  #connectedOnce = false;
  #storageFailed = false;
  readonly #deferredErrors: ErrorBody[] = [];

  constructor(options: ChatClientOptions) {
    this.#options = options;
    const clock = (this.#clock = options.clock ?? systemClock);
    const log = (this.#log = options.logger ?? (() => {}));
    const events = (this.#events = new SafeEmitter<ChatClientEvents>(log));
    const emit = events.emit.bind(events);
    const timers = (this.#timers = createTimers(clock));
    const setting = (name: keyof typeof CLIENT_DEFAULTS): number => options[name] ?? CLIENT_DEFAULTS[name];
    const backoff = (attempt: number) =>
      backoffDelay(attempt, setting('minReconnectDelayMs'), setting('maxReconnectDelayMs'), () => clock.random());
    const requests = (this.#requests = createPendingRequests(timers, setting('requestTimeoutMs')));
    const store = (this.#store = createSessionStore(options.storage, options.storageKey, (message, cause) => this.#storageFailure(message, cause)));
    const saved = store.load();
    // resetOnLoad: what was queued for the stored conversation belongs to it (the chat goes on in a new thread).
    const reset = options.resetOnLoad === true;
    /** Sends `request` and tracks its response. */
    const user = options.user;
    const send = (action: RequestAction, payload: unknown, handlers: RequestHandlers) => {
      // A verified visitor proves who it is at every login (the token alone opens no verified chat).
      if (action === 'login' && user) payload = { ...(payload as object), user };
      const id = requests.nextId();
      requests.track(id, action, handlers);
      transport.send({ request_id: id, action, payload } as ClientRequest);
    };
    const transport = createTransport(
      {
        url: options.url,
        WebSocket: options.WebSocket,
        timers,
        logger: log,
        backoff,
        nextRequestId: requests.nextId,
        pingIntervalMs: setting('pingIntervalMs'),
        deadPeerMs: setting('deadPeerMs'),
      },
      {
        connecting: () => this.#setState('connecting'),
        open: () => conversation.login(),
        frame: (frame) => {
          if (frame.type === 'push') conversation.handlePush(frame);
          else if (!requests.settle(frame)) log('debug', `late or unknown response ${frame.request_id}`);
        },
        malformed: (reason) => emit('error', { type: 'validation', message: `dropped a malformed frame: ${reason}` }),
        down: (code, reason, final) => this.#onDown(code, reason, final),
      },
    );
    const conversation = createConversation(
      {
        send,
        transport,
        store,
        log,
        emit,
        state: () => this.#state,
        setState: (next) => this.#setState(next),
        isDestroyed: () => this.#destroyed,
        persist: () => this.#persist(),
        readContext: () => this.#readContext(),
        identified: user !== undefined,
        flushQueues: () => {
          context.flush();
          outbox.flush();
        },
      },
      saved,
      reset,
    );
    const outbox = createOutboxQueue(
      {
        timers,
        canSend: () => this.#state === 'ready' && !conversation.switching,
        send: (item, handlers) => {
          const { action, payload } = outboxRequest(item);
          send(action, payload, handlers);
        },
        changed: (items) => {
          this.#persist();
          emit('outbox', items);
        },
        refused: (item, error) => {
          log('warn', `the server refused ${item.kind} ${item.customId}: ${error.message}`);
          emit('error', error);
        },
        retryDelay: backoff,
      },
      reset ? [] : saved.outbox,
    );
    const context = createContextSync({
      timers,
      canSend: () => this.#state === 'ready',
      send: (next, handlers) => send('update_context', { context: next }, handlers),
      refused: (error) => emit('error', error),
      retryDelay: () => backoff(0),
    });
    this.#reports = createVisitorReports({
      timers,
      canSend: () => this.#state === 'ready',
      send: (action, payload) => send(action, payload, { ok: () => {}, fail: (error) => log('debug', `${action} refused: ${error.message}`) }),
    });
    this.#transport = transport;
    this.#conversation = conversation;
    this.#outbox = outbox;
    this.#context = context;
  }

  /** `idle` before connect(), then `connecting` / `ready` / `reconnecting`; `closed` after destroy() or a final close (1008). */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The chat of the last `conversation` event; undefined before the first login. */
  get chatId(): string | undefined {
    return this.#conversation.chatId;
  }

  /** Items not yet accepted by the server, oldest first (restored from storage on construction). */
  /** The session token of the current chat (for its HTTP calls: sending files), once logged in. */
  get token(): string | undefined {
    return this.#conversation.session.token;
  }

  get outboxItems(): readonly OutboxItem[] {
    return this.#outbox.items;
  }

  /** Subscribes; returns a function that unsubscribes. A throwing handler is logged and skipped. */
  on<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): () => void {
    return this.#events.on(type, handler);
  }

  /** Unsubscribes a handler given to {@link ChatClient.on}. */
  off<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): void {
    this.#events.off(type, handler);
  }

  /** Opens the connection and keeps it up (reconnecting with backoff) until destroy(). Idempotent; also restarts after a final close. */
  connect(): void {
    if (this.#destroyed || (this.#state !== 'idle' && this.#state !== 'closed')) return;
    if (!this.#connectedOnce) {
      this.#connectedOnce = true;
      // What happened while constructing (storage failures, a restored outbox) is told now that listeners exist.
      for (const error of this.#deferredErrors.splice(0)) this.#events.emit('error', error);
      if (this.#outbox.items.length > 0) this.#events.emit('outbox', this.#outbox.items);
      if (this.#destroyed) return;
    }
    this.#transport.start();
  }

  /** Queues a visitor message (trimmed); sent when connected. TypeError when empty or over {@link TEXT_CHARS}. */
  sendMessage(text: string): OutboxItem {
    return this.#enqueue(messageItem(text, this.#customId(), this.#timestamp()));
  }

  /**
   * Queues a pick in bot message `eventId`: a quick reply (`text` is its label), or a postback
   * button (`text` is its postback, `title` the label the transcript shows). TypeError on bad arguments.
   */
  sendPostback(eventId: string, text: string, title?: string): OutboxItem {
    return this.#enqueue(postbackItem(eventId, text, this.#customId(), this.#timestamp(), title));
  }

  /**
   * Queues a page event; resolves once the server accepted it, rejects with the ErrorBody when it
   * refuses it. Waits through disconnects (and reloads, without the promise). TypeError on a bad alias or body.
   */
  pageEvent(alias: string, body?: JsonObject): Promise<void> {
    const item = pageEventItem(alias, body, this.#customId(), this.#timestamp());
    if (this.#destroyed) return Promise.reject(destroyedError());
    return new Promise((resolve, reject) => this.#outbox.add(item, { resolve, reject }));
  }

  /** Sends `update_context` now, or after the next login; the newest context wins. TypeError when not a bounded plain object. */
  updateContext(context: JsonObject): Promise<void> {
    if (!isBoundedObject(context)) {
      throw new TypeError(`context must be a plain object of at most ${CONTEXT_CHARS} characters of JSON`);
    }
    if (this.#destroyed) return Promise.reject(destroyedError());
    return this.#context.update(JSON.parse(JSON.stringify(context)) as JsonObject);
  }

  /**
   * Ends the conversation and starts a new one (`start_chat`); resolves when it is loaded
   * (`conversation` with isNewConversation). Offline, the next login starts it.
   */
  startNewChat(): Promise<void> {
    if (this.#destroyed) return Promise.reject(destroyedError());
    return this.#conversation.requestNewChat();
  }

  /** The visitor's draft, for agents' sneak peeks (docs/agent-api.md); throttled, never queued. */
  sneakPeek(text: string): void {
    if (!this.#destroyed) this.#reports.draft(text);
  }

  /** The page the visitor is on (a load or a single-page-app navigation); reported again after every login. */
  reportPage(page: CustomerPagePayload): void {
    if (!this.#destroyed) this.#reports.page(page);
  }

  /** For `window` 'online': a scheduled retry happens now. */
  onOnline(): void {
    if (!this.#destroyed) this.#transport.reconnectNow();
  }

  /** For `window` 'offline': drop the socket now instead of waiting for the dead-peer timer. */
  onOffline(): void {
    if (!this.#destroyed) this.#transport.drop(CLOSE_NORMAL, 'browser offline');
  }

  /**
   * Closes the socket (1000), cancels every timer, rejects what is pending and drops every
   * listener. Idempotent; nothing fires afterwards. Queued items stay stored for the next page.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#events.clear();
    this.#state = 'closed';
    this.#transport.stop();
    const error = destroyedError();
    this.#requests.failAll(error);
    this.#timers.clearAll();
    this.#conversation.rejectWaiters(error);
    this.#context.rejectAll(error);
    this.#outbox.rejectWaiters(error);
  }

  #onDown(code: number, reason: string, final: boolean): void {
    this.#outbox.pause();
    this.#context.pause();
    this.#setState(final ? 'closed' : 'reconnecting');
    if (final) {
      this.#events.emit('error', {
        type: 'authentication',
        message: `the server refused the connection for good (${code}${reason ? `: ${reason}` : ''})`,
      });
    }
    this.#conversation.down();
    this.#requests.failAll({ type: 'request_timeout', message: 'the connection was lost' });
  }

  /** The one place the state changes; emits only on a change. */
  #setState(next: ConnectionState): void {
    if (this.#destroyed || this.#state === next) return;
    this.#state = next;
    this.#events.emit('state', next);
    if (next === 'ready') this.#reports.loggedIn();
  }

  #enqueue(item: OutboxItem): OutboxItem {
    if (this.#destroyed) throw new Error(destroyedError().message);
    this.#outbox.add(item);
    return item;
  }

  #persist(): void {
    this.#store.save({ ...this.#conversation.session, outbox: [...this.#outbox.items] });
  }

  #storageFailure(message: string, cause: unknown): void {
    this.#log('warn', message, cause);
    if (this.#storageFailed) return; // once: a broken storage fails on every write
    this.#storageFailed = true;
    const error: ErrorBody = { type: 'internal', message };
    if (this.#connectedOnce) this.#events.emit('error', error);
    else this.#deferredErrors.push(error);
  }

  /** The host's context, or none when getContext throws or returns what the server would refuse. */
  #readContext(): JsonObject | undefined {
    try {
      const context = this.#options.getContext();
      if (isBoundedObject(context)) return context;
      this.#log('warn', 'getContext() returned no bounded plain object; sending none');
    } catch (error) {
      this.#log('warn', 'getContext() threw; sending none', error);
    }
    return undefined;
  }

  #customId(): string {
    return newCustomId(() => this.#clock.random());
  }

  #timestamp(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}
