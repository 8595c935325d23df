/**
 * The browser connection of the widget: wires the {@link Transport} (socket, heartbeat,
 * backoff), the {@link Conversation} (login, resume, pushes) and the queues (outbox, context)
 * behind one small API. Runtime failures become `error` events; only bad arguments throw
 * (TypeError).
 */
import { CloseCode, Limits, isObject, jsonSize, type ErrorBody, type JsonObject, type ServerFrame } from '../protocol';
import { backoffDelay } from './backoff';
import { systemClock } from './clock';
import { ContextSync } from './context-sync';
import { Conversation } from './conversation';
import { messageItem, newCustomId, outboxRequest, pageEventItem, postbackItem } from './outbox-items';
import { OutboxQueue } from './outbox-queue';
import { PendingRequests } from './pending-requests';
import { SafeEmitter } from './safe-emitter';
import { SessionStore } from './session-store';
import { Timers } from './timers';
import { Transport } from './transport';
import type { ChatClientEvents, ChatClientOptions, Clock, ConnectionState, Logger, OutboxItem } from './types';

/** Defaults of the optional numeric {@link ChatClientOptions}. */
export const CLIENT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  pingIntervalMs: 15_000,
  deadPeerMs: 35_000,
  minReconnectDelayMs: 500,
  maxReconnectDelayMs: 20_000,
} as const;

const noopLogger: Logger = () => {};

/**
 * Construct, subscribe with {@link ChatClient.on}, then {@link ChatClient.connect}.
 * Option defaults: {@link CLIENT_DEFAULTS}; `clock` the real timers, `Date.now` and
 * `Math.random`; `resetOnLoad` false; `logger` silent.
 */
export class ChatClient {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly events: SafeEmitter<ChatClientEvents>;
  private readonly timers: Timers;
  private readonly requests: PendingRequests;
  private readonly store: SessionStore;
  private readonly transport: Transport;
  private readonly conversation: Conversation;
  private readonly outbox: OutboxQueue;
  private readonly context: ContextSync;

  private current: ConnectionState = 'idle';
  private destroyed = false;
  private connectedOnce = false;
  private storageFailed = false;
  private readonly deferredErrors: ErrorBody[] = [];

  constructor(private readonly options: ChatClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? noopLogger;
    this.events = new SafeEmitter<ChatClientEvents>(this.log);
    this.timers = new Timers(this.clock);
    this.requests = new PendingRequests(this.timers, options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs);
    this.store = new SessionStore(options.storage, options.storageKey, (message, cause) =>
      this.storageFailure(message, cause),
    );
    const saved = this.store.load();
    // resetOnLoad: the stored dialog, and what was queued for it, belong to the old conversation.
    const reset = options.resetOnLoad === true;
    const emit = this.events.emit.bind(this.events);
    this.transport = new Transport(
      {
        url: options.url,
        WebSocket: options.WebSocket,
        timers: this.timers,
        logger: this.log,
        random: () => this.clock.random(),
        nextRequestId: () => this.requests.nextId(),
        pingIntervalMs: options.pingIntervalMs ?? CLIENT_DEFAULTS.pingIntervalMs,
        deadPeerMs: options.deadPeerMs ?? CLIENT_DEFAULTS.deadPeerMs,
        minReconnectDelayMs: options.minReconnectDelayMs ?? CLIENT_DEFAULTS.minReconnectDelayMs,
        maxReconnectDelayMs: options.maxReconnectDelayMs ?? CLIENT_DEFAULTS.maxReconnectDelayMs,
      },
      {
        connecting: () => this.setState('connecting'),
        open: () => this.conversation.login(),
        frame: (frame) => this.onFrame(frame),
        malformed: (reason) => emit('error', { type: 'validation', message: `dropped a malformed frame: ${reason}` }),
        down: (info) => this.onDown(info.final, info.code, info.reason),
      },
    );
    this.conversation = new Conversation(
      {
        requests: this.requests,
        transport: this.transport,
        store: this.store,
        log: this.log,
        emit,
        state: () => this.current,
        setState: (next) => this.setState(next),
        isDestroyed: () => this.destroyed,
        persist: () => this.persist(),
        readContext: () => this.readContext(),
        flushQueues: () => {
          this.context.flush();
          this.outbox.flush();
        },
      },
      { session: saved, newChat: reset },
    );
    this.outbox = new OutboxQueue(
      {
        timers: this.timers,
        canSend: () => this.current === 'ready' && !this.conversation.switching,
        send: (item, handlers) => {
          const request = outboxRequest(item, this.requests.nextId());
          this.requests.track(request.request_id, request.action, handlers);
          this.transport.send(request);
        },
        changed: (items) => {
          this.persist();
          emit('outbox', items);
        },
        refused: (item, error) => {
          this.log('warn', `the server refused ${item.kind} ${item.customId}: ${error.message}`);
          emit('error', error);
        },
        retryDelay: (attempt) => this.backoff(attempt),
      },
      reset ? [] : saved.outbox,
    );
    this.context = new ContextSync({
      timers: this.timers,
      canSend: () => this.current === 'ready',
      send: (context, handlers) => {
        const id = this.requests.nextId();
        this.requests.track(id, 'update_context', handlers);
        this.transport.send({ request_id: id, action: 'update_context', payload: { context } });
      },
      refused: (error) => emit('error', error),
      retryDelay: () => this.backoff(0),
    });
  }

  /** `idle` before connect(), then `connecting` / `ready` / `reconnecting`; `closed` after destroy() or a final close (1008). */
  get state(): ConnectionState {
    return this.current;
  }

  /** The dialog of the last `conversation` event; undefined before the first login. */
  get chatId(): string | undefined {
    return this.conversation.chatId;
  }

  /** Items not yet accepted by the server, oldest first (restored from storage on construction). */
  get outboxItems(): readonly OutboxItem[] {
    return this.outbox.items;
  }

  /** Subscribes; returns a function that unsubscribes. A throwing handler is logged and skipped. */
  on<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): () => void {
    return this.events.on(type, handler);
  }

  /** Unsubscribes a handler given to {@link ChatClient.on}. */
  off<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void): void {
    this.events.off(type, handler);
  }

  /** Opens the connection and keeps it up (reconnecting with backoff) until destroy(). Idempotent; also restarts after a final close. */
  connect(): void {
    if (this.destroyed || (this.current !== 'idle' && this.current !== 'closed')) return;
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      // What happened while constructing (storage failures, a restored outbox) is told now that listeners exist.
      for (const error of this.deferredErrors.splice(0)) this.events.emit('error', error);
      if (this.outbox.items.length > 0) this.events.emit('outbox', this.outbox.items);
      if (this.destroyed) return;
    }
    this.transport.start();
  }

  /** Queues a visitor message (trimmed); sent when connected. TypeError when empty or over {@link Limits.textChars}. */
  sendMessage(text: string): OutboxItem {
    return this.enqueue(messageItem(text, this.customId(), this.timestamp()));
  }

  /** Queues a quick-reply pick: the reply `text` of bot message `eventId`. TypeError on bad arguments. */
  sendPostback(eventId: string, text: string): OutboxItem {
    return this.enqueue(postbackItem(eventId, text, this.customId(), this.timestamp()));
  }

  /**
   * Queues a page event; resolves once the server accepted it, rejects with the ErrorBody when it
   * refuses it. Waits through disconnects (and reloads, without the promise). TypeError on a bad alias or body.
   */
  pageEvent(alias: string, body?: JsonObject): Promise<void> {
    const item = pageEventItem(alias, body, this.customId(), this.timestamp());
    if (this.destroyed) return Promise.reject(destroyedError());
    return new Promise((resolve, reject) => this.outbox.add(item, { resolve, reject }));
  }

  /** Sends `update_context` now, or after the next login; the newest context wins. TypeError when not a bounded plain object. */
  updateContext(context: JsonObject): Promise<void> {
    if (!isObject(context) || jsonSize(context) > Limits.contextChars) {
      throw new TypeError(`context must be a plain object of at most ${Limits.contextChars} characters of JSON`);
    }
    if (this.destroyed) return Promise.reject(destroyedError());
    return this.context.update(JSON.parse(JSON.stringify(context)) as JsonObject);
  }

  /**
   * Ends the conversation and starts a new one (`start_chat`); resolves when it is loaded
   * (`conversation` with isNewConversation). Offline, the next login starts it.
   */
  startNewChat(): Promise<void> {
    if (this.destroyed) return Promise.reject(destroyedError());
    return this.conversation.requestNewChat();
  }

  /** For `window` 'online': a scheduled retry happens now. */
  onOnline(): void {
    if (!this.destroyed) this.transport.reconnectNow();
  }

  /** For `window` 'offline': drop the socket now instead of waiting for the dead-peer timer. */
  onOffline(): void {
    if (!this.destroyed) this.transport.drop(CloseCode.Normal, 'browser offline');
  }

  /**
   * Closes the socket (1000), cancels every timer, rejects what is pending and drops every
   * listener. Idempotent; nothing fires afterwards. Queued items stay stored for the next page.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.events.clear();
    this.current = 'closed';
    this.transport.stop();
    const error = destroyedError();
    this.requests.failAll(error);
    this.timers.clearAll();
    this.conversation.rejectWaiters(error);
    this.context.rejectAll(error);
    this.outbox.rejectWaiters(error);
  }

  private onFrame(frame: ServerFrame): void {
    if (frame.type === 'push') {
      this.conversation.handlePush(frame);
    } else if (!this.requests.settle(frame)) {
      this.log('debug', `response to an unknown or expired request ${frame.request_id}`);
    }
  }

  private onDown(final: boolean, code: number, reason: string): void {
    this.outbox.pause();
    this.context.pause();
    this.setState(final ? 'closed' : 'reconnecting');
    if (final) {
      this.events.emit('error', {
        type: 'authentication',
        message: `the server refused the connection for good (${code}${reason ? `: ${reason}` : ''})`,
      });
    }
    this.conversation.down();
    this.requests.failAll({ type: 'request_timeout', message: 'the connection was lost before the response' });
  }

  /** The one place the state changes; emits only on a change. */
  private setState(next: ConnectionState): void {
    if (this.destroyed || this.current === next) return;
    this.current = next;
    this.events.emit('state', next);
  }

  private enqueue(item: OutboxItem): OutboxItem {
    if (this.destroyed) throw new Error('ChatClient is destroyed');
    this.outbox.add(item);
    return item;
  }

  private persist(): void {
    this.store.save({ ...this.conversation.session, outbox: [...this.outbox.items] });
  }

  private storageFailure(message: string, cause: unknown): void {
    this.log('warn', message, cause);
    if (this.storageFailed) return; // once: a broken storage fails on every write
    this.storageFailed = true;
    const error: ErrorBody = { type: 'internal', message };
    if (this.connectedOnce) this.events.emit('error', error);
    else this.deferredErrors.push(error);
  }

  /** The host's context, or none when getContext throws or returns what the server would refuse. */
  private readContext(): JsonObject | undefined {
    try {
      const context = this.options.getContext();
      if (isObject(context) && jsonSize(context) <= Limits.contextChars) return context;
      this.log('warn', 'getContext() returned no plain object of bounded size; sending no context');
    } catch (error) {
      this.log('warn', 'getContext() threw; sending no context', error);
    }
    return undefined;
  }

  private backoff(attempt: number): number {
    const { minReconnectDelayMs = CLIENT_DEFAULTS.minReconnectDelayMs, maxReconnectDelayMs = CLIENT_DEFAULTS.maxReconnectDelayMs } =
      this.options;
    return backoffDelay(attempt, minReconnectDelayMs, maxReconnectDelayMs, () => this.clock.random());
  }

  private customId(): string {
    return newCustomId(() => this.clock.random());
  }

  private timestamp(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function destroyedError(): ErrorBody {
  return { type: 'internal', message: 'the chat client was destroyed' };
}
