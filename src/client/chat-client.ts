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
import { CLOSE_NORMAL, isBoundedObject, type ClientRequest, type ErrorBody, type JsonObject, type RequestAction } from '../protocol';
import { backoffDelay } from './backoff';
import { systemClock } from './clock';
import { checkBounded, checkPageEvent } from './checks';
import { createConversation, type Conversation } from './conversation';
import { createPendingRequests, type RequestHandlers } from './pending-requests';
import type { Queues, QueuesDeps } from './queues';
import { SafeEmitter } from './safe-emitter';
import { createSessionStore } from './session-store';
import { createTimers } from './timers';
import { createTransport, type Transport } from './transport';
import type { ChatClientEvents, ChatClientOptions, ConnectionState, Logger, OutboxItem, QueuesFactory } from './types';

const REQUEST_TIMEOUT_MS = 10_000;
const PING_INTERVAL_MS = 15_000;
const DEAD_PEER_MS = 35_000;
/** Backoff bounds for reconnects (full jitter). */
const MIN_RECONNECT_DELAY_MS = 500;
const MAX_RECONNECT_DELAY_MS = 20_000;

/**
 * The client's timings, for tests: milliseconds before an unanswered request fails with
 * `request_timeout`, between pings while connected, of silence after which the socket is
 * considered dead, and the reconnect backoff's bounds. Constants, not options: the widget has
 * no use for others, and option names would cost bytes in its first load.
 */
export const CLIENT_DEFAULTS = {
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  pingIntervalMs: PING_INTERVAL_MS,
  deadPeerMs: DEAD_PEER_MS,
  minReconnectDelayMs: MIN_RECONNECT_DELAY_MS,
  maxReconnectDelayMs: MAX_RECONNECT_DELAY_MS,
} as const;

const destroyedError = (): ErrorBody => ({ type: 'internal', message: 'the chat client was destroyed' });

/** The connection, as {@link createChatClient} builds it. */
export interface ChatClient {
  /**
   * Builds the queues (once): the stored outbox is parsed, the calls held until now are handed
   * over in order, and what may go out goes out. The widget calls it when its lazy chunk arrives.
   */
  attachQueues(create: QueuesFactory): void;
  /** True while calls (or a stored outbox) wait for {@link ChatClient.attachQueues}. */
  readonly needsQueues: boolean;
  /** `idle` before connect(), then `connecting` / `ready` / `reconnecting`; `closed` after destroy() or a final close (1008). */
  readonly state: ConnectionState;
  /** The session token of the current chat (for its HTTP calls: sending files), once logged in. */
  readonly token: string | undefined;
  /** Items not yet accepted by the server, oldest first (restored from storage on construction). */
  readonly outboxItems: readonly OutboxItem[];
  /**
   * The queues once attached, until destroy(): what the visitor sends (messages, picks), drafts
   * for agents' sneak peeks and the pages the visitor is on go to them directly. Whoever sends
   * those came with the queues (the widget's lazy chunk), so the first load carries no wrappers.
   */
  readonly queues: Queues | undefined;
  /** Subscribes; returns a function that unsubscribes. A throwing handler is logged and skipped. */
  on<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): () => void;
  /** Unsubscribes a handler given to {@link ChatClient.on}. */
  off<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): void;
  /** Opens the connection and keeps it up (reconnecting with backoff) until destroy(). Idempotent; also restarts after a final close. */
  connect(): void;
  /**
   * Queues a page event; resolves once the server accepted it, rejects with the ErrorBody when it
   * refuses it. Waits through disconnects (and reloads, without the promise). TypeError on a bad alias or body.
   */
  pageEvent(alias: string, body?: JsonObject): Promise<void>;
  /** Sends `update_context` now, or after the next login; the newest context wins. TypeError when not a bounded plain object. */
  updateContext(context: JsonObject): Promise<void>;
  /**
   * Ends the conversation and starts a new one (`start_chat`); resolves when it is loaded
   * (`conversation` with isNewConversation). Offline, the next login starts it.
   */
  startNewChat(): Promise<void>;
  /** For `window` 'online': a scheduled retry happens now. */
  onOnline(): void;
  /** For `window` 'offline': drop the socket now instead of waiting for the dead-peer timer. */
  onOffline(): void;
  /**
   * Closes the socket (1000), cancels every timer, rejects what is pending and drops every
   * listener. Idempotent; nothing fires afterwards. Queued items stay stored for the next page.
   */
  destroy(): void;
}

/**
 * Build, subscribe with {@link ChatClient.on}, then {@link ChatClient.connect}.
 * Timings: {@link CLIENT_DEFAULTS}. Option defaults: `clock` the real timers, `Date.now` and
 * `Math.random`; `resetOnLoad` false; `logger` silent. A closure rather than a class: it is in
 * the widget's first load, where every `this.#field` costs bytes a local name does not.
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  const clock = options.clock ?? systemClock;
  const log: Logger = options.logger ?? (() => {});
  const events = new SafeEmitter<ChatClientEvents>(log);
  const emit = events.emit.bind(events);
  const timers = createTimers(clock);
  let queues: Queues | undefined;
  /** Calls made before the queues arrived, in order; each is run or rejected once. */
  const held: { run(queues: Queues): void; reject(error: ErrorBody): void }[] = [];
  let state: ConnectionState = 'idle';
  let destroyed = false;
  let connectedOnce = false;
  let storageFailed = false;
  const deferredErrors: ErrorBody[] = [];

  const storageFailure = (message: string, cause: unknown): void => {
    log('warn', message, cause);
    if (storageFailed) return; // once: a broken storage fails on every write
    storageFailed = true;
    const error: ErrorBody = { type: 'internal', message };
    if (connectedOnce) emit('error', error);
    else deferredErrors.push(error);
  };
  const backoff = (attempt: number) => backoffDelay(attempt, MIN_RECONNECT_DELAY_MS, MAX_RECONNECT_DELAY_MS, () => clock.random());
  const requests = createPendingRequests(timers, REQUEST_TIMEOUT_MS);
  const store = createSessionStore(options.storage, options.storageKey, storageFailure);
  // resetOnLoad: what was queued for the stored conversation belongs to it (the chat goes on in a new thread).
  const reset = options.resetOnLoad === true;
  /** The outbox storage held, until the queues parse it (written back unchanged meanwhile); read with the session. */
  let storedOutbox: readonly unknown[] = [];
  const user = options.user;

  /** The one place the state changes; emits only on a change. */
  const setState = (next: ConnectionState): void => {
    if (destroyed || state === next) return;
    state = next;
    emit('state', next);
    if (next === 'ready') queues?.loggedIn();
  };
  const persist = (): void => store.save({ ...conv().session, outbox: queues ? [...queues.items] : storedOutbox });
  /** The host's context, or none when getContext throws or returns what the server would refuse. */
  const readContext = (): JsonObject | undefined => {
    let context: unknown;
    let error: unknown;
    try {
      context = options.getContext();
    } catch (thrown) {
      error = thrown;
    }
    if (isBoundedObject(context)) return context;
    // Threw (the error is logged) or returned what the server would refuse.
    log('warn', 'getContext() failed; sending no context', error);
    return undefined;
  };
  /** Sends `request` and tracks its response. */
  const send = (action: RequestAction, payload: unknown, handlers: RequestHandlers) => {
    // A verified visitor proves who it is at every login (the token alone opens no verified chat).
    if (action === 'login' && user) payload = { ...(payload as object), user };
    const id = requests.nextId();
    requests.track(id, action, handlers);
    transport.send({ request_id: id, action, payload } as ClientRequest);
  };
  const transport: Transport = createTransport(
    {
      url: options.url,
      WebSocket: options.WebSocket,
      timers,
      logger: log,
      backoff,
      nextRequestId: requests.nextId,
      pingIntervalMs: PING_INTERVAL_MS,
      deadPeerMs: DEAD_PEER_MS,
    },
    {
      connecting: () => setState('connecting'),
      open: () => conv().login(),
      frame: (frame) => {
        if (frame.type === 'push') conv().handlePush(frame);
        else if (!requests.settle(frame)) log('debug', 'late or unknown response', frame);
      },
      malformed: (reason) => emit('error', { type: 'validation', message: `dropped a malformed frame: ${reason}` }),
      down: (code, reason, final) => {
        queues?.pause();
        setState(final ? 'closed' : 'reconnecting');
        if (final) emit('error', { type: 'authentication', message: `refused for good (${code}${reason ? `: ${reason}` : ''})` });
        conv().down();
        requests.failAll({ type: 'request_timeout', message: 'connection lost' });
      },
    },
  );
  let conversation: Conversation | undefined;
  /**
   * The conversation, built on first use from the stored session. connect() opens the socket
   * before it: a page's first storage access can cost milliseconds (Chromium opens the origin's
   * storage then), and they overlap with the socket's handshake instead of preceding it.
   */
  const conv = (): Conversation => (conversation ??= restore());
  const restore = (): Conversation => {
    const saved = store.load();
    if (!reset) storedOutbox = saved.outbox;
    return createConversation(
      {
        send,
        transport,
        store,
        log,
        emit,
        state: () => state,
        setState,
        isDestroyed: () => destroyed,
        persist,
        readContext,
        identified: user !== undefined,
        flushQueues: () => queues?.flush(),
      },
      saved,
      reset,
    );
  };
  /** What the queues need, kept for when they are attached. */
  const queuesDeps: QueuesDeps = {
    timers,
    clock,
    log,
    ready: () => state === 'ready',
    switching: () => conv().switching,
    send,
    changed: (items) => {
      persist();
      emit('outbox', items);
    },
    error: (error) => emit('error', error),
    backoff,
  };
  /** `call` on the queues now, or once they are attached; its throw (a TypeError) becomes a rejection when held. */
  const queued = (call: (queues: Queues) => Promise<void>): Promise<void> => {
    if (destroyed) return Promise.reject(destroyedError());
    if (queues) return call(queues);
    return new Promise((resolve, reject) =>
      held.push({
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
  };

  const client: ChatClient = {
    attachQueues(create) {
      if (queues || destroyed) return;
      conv();
      const attached = (queues = create(queuesDeps, storedOutbox));
      storedOutbox = [];
      if (connectedOnce && attached.items.length > 0) emit('outbox', attached.items);
      for (const call of held.splice(0)) call.run(attached);
      attached.flush();
    },
    get needsQueues() {
      return !queues && (held.length > 0 || (conv(), storedOutbox.length > 0));
    },
    get state() {
      return state;
    },
    get token() {
      return conv().session.token;
    },
    get outboxItems() {
      return queues?.items ?? [];
    },
    get queues() {
      return destroyed ? undefined : queues;
    },
    on: (type, handler) => events.on(type, handler),
    off: (type, handler) => events.off(type, handler),
    connect() {
      if (destroyed || (state !== 'idle' && state !== 'closed')) return;
      if (!connectedOnce) {
        connectedOnce = true;
        // What happened while constructing (storage failures, a restored outbox) is told now that listeners exist.
        for (const error of deferredErrors.splice(0)) emit('error', error);
        if (client.outboxItems.length > 0) emit('outbox', client.outboxItems);
        if (destroyed) return;
      }
      transport.start();
      conv();
    },
    pageEvent(alias, body) {
      checkPageEvent(alias, body);
      return queued((queues) => queues.pageEvent(alias, body));
    },
    updateContext(context) {
      checkBounded(context, 'context');
      // A copy, taken now: later changes by the caller must not alter what was checked.
      const copy = destroyed ? context : (JSON.parse(JSON.stringify(context)) as JsonObject);
      return queued((queues) => queues.updateContext(copy));
    },
    startNewChat: () => (destroyed ? Promise.reject(destroyedError()) : conv().requestNewChat()),
    onOnline() {
      if (!destroyed) transport.reconnectNow();
    },
    onOffline() {
      if (!destroyed) transport.drop(CLOSE_NORMAL, 'browser offline');
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      events.clear();
      state = 'closed';
      transport.stop();
      const error = destroyedError();
      requests.failAll(error);
      timers.clearAll();
      conversation?.rejectWaiters(error);
      queues?.rejectAll(error);
      for (const call of held.splice(0)) call.reject(error);
    },
  };
  return client;
}
