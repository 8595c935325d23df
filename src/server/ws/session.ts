/**
 * One websocket connection: parses frames, runs actions one at a time, and delivers the bound
 * chat's pushes in `seq` order exactly once. The delivery cursor (`cursor` = last seq sent)
 * is what makes resume safe: a push at or below it is dropped, a push past a gap triggers a
 * read of the missing ones from the store, so races between appends, broadcasts and a login's
 * replay can never produce a duplicate or a reordering.
 */
import type { RawData, WebSocket } from 'ws';
import {
  CloseCode,
  parseClientFrame,
  type ClientRequest,
  type ErrorType,
  type Push,
  type ServerFrame,
  type StoredPush,
} from '../../protocol';
import type { App } from '../app';
import type { Subscriber } from '../chat/hub';
import type { Endpoint } from '../endpoints';
import { withFileUrl } from '../files/deliver';
import { errorFields } from '../logger';
import { TokenBucket, type RateLimit } from '../rate-limit';
import { FrameError, runAction } from './actions';

export interface SessionOptions {
  /** Close (4001) a connection that has not logged in by then. */
  loginTimeoutMs: number;
  /** Visitor messages, postbacks and page events per connection. */
  rateLimit: RateLimit;
  /** `login`, `start_chat` and `update_context` per connection (each writes or reads the store). */
  controlRateLimit: RateLimit;
  /** Close (4003) when the socket's unsent bytes stay above this for `slowConsumerMs`. */
  maxBufferedBytes: number;
  /** How long the outbound buffer may stay over its limit: a replay burst drains, a stalled reader does not. */
  slowConsumerMs: number;
  /** Requests waiting for their turn; more are refused with `too_many_requests`. */
  maxQueued: number;
  /** After the server closes a socket, the peer has this long to finish the close handshake before it is terminated. */
  closeGraceMs: number;
}

const VISITOR_ACTIONS: ReadonlySet<string> = new Set([
  'send_event',
  'send_rich_message_postback',
  'page_event',
  'send_sneak_peek',
  'update_customer_page',
]);
const CONTROL_ACTIONS: ReadonlySet<string> = new Set(['login', 'start_chat', 'update_context']);
/** Unsent bytes over this many times `maxBufferedBytes` close the socket at once, without the grace period. */
const HARD_BUFFER_FACTOR = 4;

export class Session implements Subscriber {
  /** Last time the peer showed life (a frame or a pong); read by the gateway's heartbeat. */
  lastSeen = Date.now();
  chatId: string | undefined;
  private cursor = 0;
  /** True while a login reads the log or a gap is being filled: live pushes are buffered. */
  private catching = false;
  private readonly buffer = new Map<number, StoredPush>();
  /** Bumped on every (re)bind so that a read for an older binding is discarded. */
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private readonly limiter: TokenBucket;
  private readonly controlLimiter: TokenBucket;
  private loginTimer: NodeJS.Timeout | undefined;
  private slowTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly endpoint: Endpoint,
    readonly app: App,
    private readonly options: SessionOptions,
  ) {
    this.limiter = new TokenBucket(options.rateLimit, Date.now());
    this.controlLimiter = new TokenBucket(options.controlRateLimit, Date.now());
    this.loginTimer = setTimeout(() => this.close(CloseCode.LoginTimeout, 'login timeout'), options.loginTimeoutMs);
  }

  /** Handles one incoming frame. Never throws. */
  onFrame(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    if (isBinary) return this.sendError('', '', 'validation', 'binary frames are not supported');
    const parsed = parseClientFrame(data.toString());
    if (!parsed.ok) return this.sendError(parsed.request_id ?? '', parsed.action ?? '', 'validation', parsed.error);
    const request = parsed.value;
    if (this.queued >= this.options.maxQueued) {
      return this.sendError(request.request_id, request.action, 'too_many_requests', 'too many requests in flight');
    }
    const bucket = VISITOR_ACTIONS.has(request.action) ? this.limiter : CONTROL_ACTIONS.has(request.action) ? this.controlLimiter : undefined;
    if (bucket && bucket.take(Date.now()) > 0) {
      return this.sendError(request.request_id, request.action, 'too_many_requests', 'slow down');
    }
    this.queued += 1;
    this.queue = this.queue
      .then(() => this.run(request))
      // run() answers its own failures; this only keeps one unforeseen one from stalling the queue.
      .catch((error: unknown) => this.app.logger.error('websocket request failed', errorFields(error)))
      .finally(() => {
        this.queued -= 1;
      });
  }

  /** Binds the connection to a chat; live pushes are buffered until {@link goLive}. */
  bind(chatId: string): void {
    if (this.closed) return;
    this.unbind();
    clearTimeout(this.loginTimer);
    this.generation += 1;
    this.chatId = chatId;
    this.cursor = 0;
    this.catching = true;
    this.app.hub.subscribe(chatId, this);
    this.app.agents?.feed.visitorConnected(chatId, this.endpoint.endpoint, undefined);
  }

  unbind(): void {
    if (this.chatId !== undefined) {
      this.app.hub.unsubscribe(this.chatId, this);
      this.app.agents?.feed.visitorDisconnected(this.chatId, this.endpoint.endpoint);
    }
    this.chatId = undefined;
    this.buffer.clear();
  }

  /** Sends `replay` (pushes after `cursor`, in order), then whatever arrived meanwhile, then goes live. */
  goLive(cursor: number, replay: readonly StoredPush[]): void {
    if (this.closed || this.chatId === undefined) return;
    this.cursor = cursor;
    for (const push of replay) if (push.payload.seq > this.cursor) this.sendPush(push);
    this.catching = false;
    this.drain();
  }

  deliver(push: StoredPush): void {
    if (this.closed || push.payload.chat_id !== this.chatId) return;
    const seq = push.payload.seq;
    if (seq <= this.cursor) return;
    if (!this.catching && seq === this.cursor + 1) return this.sendPush(push);
    this.buffer.set(seq, push);
    if (!this.catching) void this.fillGap();
  }

  erased(): void {
    this.close(CloseCode.ChatErased, 'chat erased');
  }

  deliverEphemeral(push: Push): void {
    if (this.catching || push.payload.chat_id !== this.chatId) return;
    this.send(push);
    this.app.metrics.pushesSent.inc({ action: push.action });
  }

  send(frame: ServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
    if (this.ws.bufferedAmount > this.options.maxBufferedBytes * HARD_BUFFER_FACTOR) {
      this.app.logger.warn('closing a slow websocket consumer', { chatId: this.chatId, bufferedBytes: this.ws.bufferedAmount });
      return this.close(CloseCode.SlowConsumer, 'slow consumer');
    }
    if (this.ws.bufferedAmount > this.options.maxBufferedBytes && this.slowTimer === undefined) {
      this.slowTimer = setTimeout(() => {
        this.slowTimer = undefined;
        if (this.ws.bufferedAmount <= this.options.maxBufferedBytes) return;
        this.app.logger.warn('closing a slow websocket consumer', { chatId: this.chatId });
        this.close(CloseCode.SlowConsumer, 'slow consumer');
      }, this.options.slowConsumerMs);
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    // A peer that does not answer the close frame (it stopped reading) must not keep its buffers
    // for ws's 30 s close timeout. Not cleared by dispose: it must outlive the session.
    const chatId = this.chatId;
    setTimeout(() => {
      if (this.ws.readyState === this.ws.CLOSED) return;
      this.app.logger.debug('terminating a websocket that did not finish closing', { chatId, code });
      this.ws.terminate();
    }, this.options.closeGraceMs).unref();
    this.dispose();
  }

  /** Forgets the connection everywhere (the socket closed). Idempotent. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.loginTimer);
    clearTimeout(this.slowTimer);
    this.unbind();
  }

  private sendError(requestId: string, action: string, type: ErrorType, message: string): void {
    this.send({ request_id: requestId, action, type: 'response', success: false, error: { type, message } });
  }

  private async run(request: ClientRequest): Promise<void> {
    if (this.closed) return;
    const { request_id: requestId, action } = request;
    if (action !== 'login' && this.chatId === undefined) {
      return this.sendError(requestId, action, 'authentication', 'log in first');
    }
    try {
      const result = await runAction(this, request);
      this.send({ request_id: requestId, action, type: 'response', success: true, payload: result.payload } as ServerFrame);
      // Even when the socket closed meanwhile: `after` publishes and schedules what was stored.
      result.after?.();
    } catch (error) {
      if (error instanceof FrameError) return this.sendError(requestId, action, error.type, error.message);
      this.app.logger.error('websocket action failed', { action, chatId: this.chatId, ...errorFields(error) });
      this.sendError(requestId, action, 'internal', 'internal server error');
    }
  }

  private sendPush(push: StoredPush): void {
    this.cursor = push.payload.seq;
    this.send(withFileUrl(push, this.app.fileUrls, this.app.publicUrl));
    this.app.metrics.pushesSent.inc({ action: push.action });
  }

  /** Sends buffered pushes that continue the cursor; a remaining gap is filled from the store. */
  private drain(): void {
    for (let next = this.buffer.get(this.cursor + 1); next; next = this.buffer.get(this.cursor + 1)) {
      this.buffer.delete(next.payload.seq);
      this.sendPush(next);
    }
    for (const seq of this.buffer.keys()) if (seq <= this.cursor) this.buffer.delete(seq);
    if (this.buffer.size > 0) void this.fillGap();
  }

  private async fillGap(): Promise<void> {
    const chatId = this.chatId;
    const generation = this.generation;
    if (this.catching || chatId === undefined) return;
    this.catching = true;
    try {
      const missing = await this.app.store.readLog(chatId, { after: this.cursor });
      if (generation !== this.generation || this.closed) return;
      for (const push of missing) if (push.payload.seq > this.cursor) this.sendPush(push);
    } catch (error) {
      this.app.logger.error('reading missed pushes failed', { chatId, ...errorFields(error) });
    } finally {
      if (generation === this.generation) {
        this.catching = false;
        // Whatever is still buffered is newer than the store read (or the store failed): send in order.
        for (const seq of [...this.buffer.keys()].sort((a, b) => a - b)) {
          const push = this.buffer.get(seq);
          this.buffer.delete(seq);
          if (push && seq > this.cursor) this.sendPush(push);
        }
      }
    }
  }
}
