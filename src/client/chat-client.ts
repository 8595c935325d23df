/**
 * The browser connection of the widget: wires the {@link Transport} (socket, heartbeat,
 * backoff), the {@link Conversation} (login, resume, pushes) and the {@link Queues} (outbox,
 * context, reports for agents) behind one small API. Runtime failures become `error` events;
 * only bad arguments throw (TypeError).
 *
 * The queues may come later than the rest (`attachQueues`): the widget's first load is the
 * connection only, and nothing of the queues can go out before the conversation is Ready. Page
 * events and context updates made before they arrive are held, in order, and handed over then.
 */
import { CLOSE_NORMAL, isBoundedObject, type ClientRequest, type CustomerPagePayload, type ErrorBody, type JsonObject, type RequestAction } from '../protocol';
import { backoffDelay } from './backoff';
import { systemClock } from './clock';
import { checkBounded, checkPageEvent } from './checks';
import { createConversation, type Conversation } from './conversation';
import { createPendingRequests, type PendingRequests, type RequestHandlers } from './pending-requests';
import type { Queues, QueuesDeps } from './queues';
import { SafeEmitter } from './safe-emitter';
import { createSessionStore, type SessionStore } from './session-store';
import { createTimers, type Timers } from './timers';
import { createTransport, type Transport } from './transport';
import type { ChatClientEvents, ChatClientOptions, ConnectionState, Logger, OutboxItem, QueuesFactory } from './types';

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
  readonly #log: Logger;
  readonly #events: SafeEmitter<ChatClientEvents>;
  readonly #timers: Timers;
  readonly #requests: PendingRequests;
  readonly #store: SessionStore;
  readonly #transport: Transport;
  readonly #conversation: Conversation;
  /** What the queues need, kept for when they are attached. */
  readonly #queuesDeps: QueuesDeps;
  #queues: Queues | undefined;
  /** The outbox storage held, until the queues parse it (written back unchanged meanwhile). */
  #storedOutbox: readonly unknown[];
  /** Calls made before the queues arrived, in order; each is run or rejected once. */
  #held: { run(queues: Queues): void; reject(error: ErrorBody): void }[] = [];

  #state: ConnectionState = 'idle';
  #destroyed = false;
  #connectedOnce = false;
  #storageFailed = false;
  readonly #deferredErrors: ErrorBody[] = [];

  constructor(options: ChatClientOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
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
        flushQueues: () => this.#queues?.flush(),
      },
      saved,
      reset,
    );
    this.#storedOutbox = reset ? [] : saved.outbox;
    this.#queuesDeps = {
      timers,
      clock,
      log,
      ready: () => this.#state === 'ready',
      switching: () => conversation.switching,
      send,
      changed: (items) => {
        this.#persist();
        emit('outbox', items);
      },
      error: (error) => emit('error', error),
      backoff,
    };
    this.#transport = transport;
    this.#conversation = conversation;
    if (options.queues) this.attachQueues(options.queues);
  }

  /**
   * Builds the queues (once): the stored outbox is parsed, the calls held until now are handed
   * over in order, and what may go out goes out. The widget calls it when its lazy chunk arrives.
   */
  attachQueues(create: QueuesFactory): void {
    if (this.#queues || this.#destroyed) return;
    const queues = (this.#queues = create(this.#queuesDeps, this.#storedOutbox));
    this.#storedOutbox = [];
    if (this.#connectedOnce && queues.items.length > 0) this.#events.emit('outbox', queues.items);
    for (const call of this.#held.splice(0)) call.run(queues);
    queues.flush();
  }

  /** True while calls (or a stored outbox) wait for {@link ChatClient.attachQueues}. */
  get needsQueues(): boolean {
    return !this.#queues && (this.#held.length > 0 || this.#storedOutbox.length > 0);
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
    return this.#queues?.items ?? [];
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
      if (this.outboxItems.length > 0) this.#events.emit('outbox', this.outboxItems);
      if (this.#destroyed) return;
    }
    this.#transport.start();
  }

  /** Queues a visitor message (trimmed); sent when connected. TypeError when empty or over {@link TEXT_CHARS}. */
  sendMessage(text: string): OutboxItem {
    return this.#queuesNow().sendMessage(text);
  }

  /**
   * Queues a pick in bot message `eventId`: a quick reply (`text` is its label), or a postback
   * button (`text` is its postback, `title` the label the transcript shows). TypeError on bad arguments.
   */
  sendPostback(eventId: string, text: string, title?: string): OutboxItem {
    return this.#queuesNow().sendPostback(eventId, text, title);
  }

  /**
   * Queues a page event; resolves once the server accepted it, rejects with the ErrorBody when it
   * refuses it. Waits through disconnects (and reloads, without the promise). TypeError on a bad alias or body.
   */
  pageEvent(alias: string, body?: JsonObject): Promise<void> {
    checkPageEvent(alias, body);
    if (this.#destroyed) return Promise.reject(destroyedError());
    return this.#queued((queues) => queues.pageEvent(alias, body));
  }

  /** Sends `update_context` now, or after the next login; the newest context wins. TypeError when not a bounded plain object. */
  updateContext(context: JsonObject): Promise<void> {
    checkBounded(context, 'context');
    if (this.#destroyed) return Promise.reject(destroyedError());
    const copy = JSON.parse(JSON.stringify(context)) as JsonObject;
    return this.#queued((queues) => queues.updateContext(copy));
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
    if (!this.#destroyed) this.#queues?.draft(text);
  }

  /** The page the visitor is on (a load or a single-page-app navigation); reported again after every login. */
  reportPage(page: CustomerPagePayload): void {
    if (!this.#destroyed) this.#queues?.page(page);
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
    this.#queues?.rejectAll(error);
    for (const call of this.#held.splice(0)) call.reject(error);
  }

  #onDown(code: number, reason: string, final: boolean): void {
    this.#queues?.pause();
    this.#setState(final ? 'closed' : 'reconnecting');
    if (final) {
      this.#events.emit('error', {
        type: 'authentication',
        message: `refused for good (${code}${reason ? `: ${reason}` : ''})`,
      });
    }
    this.#conversation.down();
    this.#requests.failAll({ type: 'request_timeout', message: 'connection lost' });
  }

  /** The one place the state changes; emits only on a change. */
  #setState(next: ConnectionState): void {
    if (this.#destroyed || this.#state === next) return;
    this.#state = next;
    this.#events.emit('state', next);
    if (next === 'ready') this.#queues?.loggedIn();
  }

  /** The queues, for a visitor's message: the panel that sends one comes with them. */
  #queuesNow(): Queues {
    if (this.#destroyed) throw new Error(destroyedError().message);
    if (!this.#queues) throw new Error('no queues yet');
    return this.#queues;
  }

  /** `call` on the queues now, or once they are attached; its throw (a TypeError) becomes a rejection when held. */
  #queued(call: (queues: Queues) => Promise<void>): Promise<void> {
    if (this.#queues) return call(this.#queues);
    return new Promise((resolve, reject) =>
      this.#held.push({
        run(queues) {
          try {
            call(queues).then(resolve, reject);
          } catch (error) {
            reject(error);
          }
        },
        reject,
      }),
    );
  }

  #persist(): void {
    this.#store.save({ ...this.#conversation.session, outbox: this.#queues ? [...this.#queues.items] : this.#storedOutbox });
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
    let context: unknown;
    let error: unknown;
    try {
      context = this.#options.getContext();
    } catch (thrown) {
      error = thrown;
    }
    if (isBoundedObject(context)) return context;
    // Threw (the error is logged) or returned what the server would refuse.
    this.#log('warn', 'getContext() failed; sending no context', error);
    return undefined;
  }
}
