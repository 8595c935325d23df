/**
 * One websocket connection: parses frames, runs actions one at a time, and delivers the bound
 * chat's pushes in `seq` order exactly once. The delivery cursor (`cursor` = last seq sent)
 * is what makes resume safe: a push at or below it is dropped, a push past a gap triggers a
 * read of the missing ones from the store, so races between appends, broadcasts and a login's
 * replay can never produce a duplicate or a reordering.
 */
import type { WebSocket } from 'ws';
import {
  CloseCode,
  parseClientFrame,
  type ClientRequest,
  type Push,
  type ServerFrame,
  type RequestParseResult,
  type StoredPush,
} from '../../protocol';
import type { App } from '../app';
import type { Subscriber } from '../chat/hub';
import type { Endpoint } from '../endpoints';
import { withFileUrl } from '../files/deliver';
import { frameText } from '../chat/frame-text';
import { errorFields, type LogFields } from '../logger';
import { TokenBucket, type RateLimit } from '../rate-limit';
import { runAction } from './actions';
import { Connection, type ConnectionOptions } from './connection';

export interface SessionOptions extends ConnectionOptions {
  /** Visitor messages, postbacks and page events per connection. */
  rateLimit: RateLimit;
  /** `login`, `start_chat` and `update_context` per connection (each writes or reads the store). */
  controlRateLimit: RateLimit;
}

const VISITOR_ACTIONS: ReadonlySet<string> = new Set([
  'send_event',
  'send_rich_message_postback',
  'page_event',
  'send_sneak_peek',
  'update_customer_page',
]);
const CONTROL_ACTIONS: ReadonlySet<string> = new Set(['login', 'start_chat', 'update_context']);

export class Session extends Connection<ClientRequest, ServerFrame> implements Subscriber {
  chatId: string | undefined;
  private cursor = 0;
  /** True while a login reads the log or a gap is being filled: live pushes are buffered. */
  private catching = false;
  private readonly buffer = new Map<number, StoredPush>();
  /** Bumped on every (re)bind so that a read for an older binding is discarded. */
  private generation = 0;
  private readonly limiter: TokenBucket;
  private readonly controlLimiter: TokenBucket;

  constructor(
    ws: WebSocket,
    readonly endpoint: Endpoint,
    readonly app: App,
    options: SessionOptions,
  ) {
    super(ws, options, app.logger);
    this.limiter = new TokenBucket(options.rateLimit, Date.now());
    this.controlLimiter = new TokenBucket(options.controlRateLimit, Date.now());
  }

  /** Binds the connection to a chat; live pushes are buffered until {@link goLive}. */
  bind(chatId: string): void {
    if (this.closed) return;
    this.unbind();
    this.loggedIn();
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
    // A push's text was made once, when it was stored, and is shared by every tab of the chat.
    this.sendText(frameText(push));
    this.app.metrics.pushesSent.of(push.action).inc();
  }

  /** Forgets the connection everywhere (the socket closed). Idempotent. */
  override dispose(): void {
    super.dispose();
    this.unbind();
  }

  protected parse(text: string): RequestParseResult<ClientRequest> {
    return parseClientFrame(text);
  }

  protected bucketOf(request: ClientRequest): TokenBucket | undefined {
    if (VISITOR_ACTIONS.has(request.action)) return this.limiter;
    return CONTROL_ACTIONS.has(request.action) ? this.controlLimiter : undefined;
  }

  protected logFields(): LogFields {
    return { chatId: this.chatId };
  }

  protected async run(request: ClientRequest): Promise<void> {
    if (request.action !== 'login' && this.chatId === undefined) {
      return this.sendError(request.request_id, request.action, 'authentication', 'log in first');
    }
    let after: (() => void) | undefined;
    await this.respond(request, async () => {
      const result = await runAction(this, request);
      after = result.after;
      return result.payload;
    });
    // Even when the socket closed meanwhile: `after` publishes and schedules what was stored.
    after?.();
  }

  private sendPush(push: StoredPush): void {
    this.cursor = push.payload.seq;
    // A push's text was made once, when it was stored, and is shared by every tab of the chat;
    // a visitor file's push is the exception: each delivery gets its own signed URL (a new frame).
    this.sendText(frameText(withFileUrl(push, this.app.fileUrls, this.app.publicUrl)));
    this.app.metrics.pushesSent.of(push.action).inc();
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
