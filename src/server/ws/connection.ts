/**
 * What a visitor's websocket and an agent's have in common: text requests parsed, rationed and run
 * one at a time in arrival order; a login deadline; every write watched for a reader that stopped
 * reading (slow consumer); a close that terminates a peer that does not finish the handshake.
 * A session extends it with its protocol: what a request is ({@link Connection.parse}), which
 * bucket it draws from ({@link Connection.bucketOf}) and how it is answered ({@link Connection.run}).
 */
import type { RawData, WebSocket } from 'ws';
import { CloseCode, type ErrorType, type RequestParseResult } from '../../protocol';
import { errorFields, type LogFields, type Logger } from '../logger';
import type { TokenBucket } from '../rate-limit';
import { FrameError } from './frame-error';

export interface ConnectionOptions {
  /** Close (4001) a connection that has not logged in by then. */
  loginTimeoutMs: number;
  /** Close (4003) when the socket's unsent bytes stay above this for `slowConsumerMs` (or pass 4x it). */
  maxBufferedBytes: number;
  /** How long the outbound buffer may stay over its limit: a replay burst drains, a stalled reader does not. */
  slowConsumerMs: number;
  /** Requests waiting for their turn; more are refused with `too_many_requests`. */
  maxQueued: number;
  /** After the server closes a socket, the peer has this long to finish the close handshake before it is terminated. */
  closeGraceMs: number;
}

/** A request as every protocol frames it: answers echo its `request_id` and `action`. */
export interface Request {
  request_id: string;
  action: string;
}

/** Unsent bytes over this many times `maxBufferedBytes` close the socket at once, without the grace period. */
const HARD_BUFFER_FACTOR = 4;

export abstract class Connection<R extends Request, Frame extends object> {
  /** Last time the peer showed life (a frame or a pong); read by the heartbeat. */
  lastSeen = Date.now();
  protected closed = false;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private loginTimer: NodeJS.Timeout | undefined;
  private slowTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    protected readonly connection: ConnectionOptions,
    protected readonly logger: Logger,
  ) {
    this.loginTimer = setTimeout(() => this.close(CloseCode.LoginTimeout, 'login timeout'), connection.loginTimeoutMs);
  }

  /** Handles one incoming frame. Never throws. */
  onFrame(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    if (isBinary) return this.sendError('', '', 'validation', 'binary frames are not supported');
    const parsed = this.parse(data.toString());
    if (!parsed.ok) return this.sendError(parsed.request_id ?? '', parsed.action ?? '', 'validation', parsed.error);
    const request = parsed.value;
    if (this.queued >= this.connection.maxQueued) {
      return this.sendError(request.request_id, request.action, 'too_many_requests', 'too many requests in flight');
    }
    const bucket = this.bucketOf(request);
    if (bucket && bucket.take(Date.now()) > 0) {
      return this.sendError(request.request_id, request.action, 'too_many_requests', 'slow down');
    }
    this.queued += 1;
    this.queue = this.queue
      .then(() => (this.closed ? undefined : this.run(request)))
      // run() answers its own failures; this only keeps one unforeseen one from stalling the queue.
      .catch((error: unknown) => this.logger.error('websocket request failed', errorFields(error)))
      .finally(() => {
        this.queued -= 1;
      });
  }

  /** Sends one frame (dropped once the connection is closing). */
  send(frame: Frame): void {
    this.sendText(JSON.stringify(frame));
  }

  /**
   * Sends text that is already one serialised frame, so that a frame going to many sockets is
   * serialised once. Closes (4003) a reader whose unsent bytes pass 4x the limit at once, or stay
   * over it for `slowConsumerMs`.
   */
  sendText(text: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text);
    const { maxBufferedBytes, slowConsumerMs } = this.connection;
    if (this.ws.bufferedAmount > maxBufferedBytes * HARD_BUFFER_FACTOR) {
      this.logger.warn('closing a slow websocket consumer', { ...this.logFields(), bufferedBytes: this.ws.bufferedAmount });
      return this.close(CloseCode.SlowConsumer, 'slow consumer');
    }
    if (this.ws.bufferedAmount > maxBufferedBytes && this.slowTimer === undefined) {
      this.slowTimer = setTimeout(() => {
        this.slowTimer = undefined;
        if (this.ws.bufferedAmount <= maxBufferedBytes) return;
        this.logger.warn('closing a slow websocket consumer', this.logFields());
        this.close(CloseCode.SlowConsumer, 'slow consumer');
      }, slowConsumerMs);
    }
  }

  /** Sends `success: false` for a request (the error shape is the same in every protocol). */
  sendError(requestId: string, action: string, type: ErrorType, message: string): void {
    this.sendText(JSON.stringify({ request_id: requestId, action, type: 'response', success: false, error: { type, message } }));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    // A peer that does not answer the close frame (it stopped reading) must not keep its buffers
    // for ws's 30 s close timeout. Not cleared by dispose: it must outlive the session.
    const fields = this.logFields();
    setTimeout(() => {
      if (this.ws.readyState === this.ws.CLOSED) return;
      this.logger.debug('terminating a websocket that did not finish closing', { ...fields, code });
      this.ws.terminate();
    }, this.connection.closeGraceMs).unref();
    this.dispose();
  }

  /** Forgets the connection everywhere (the socket closed). Idempotent; a subclass adds its own forgetting. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.loginTimer);
    clearTimeout(this.slowTimer);
  }

  /** The login deadline no longer applies. */
  protected loggedIn(): void {
    clearTimeout(this.loginTimer);
    this.loginTimer = undefined;
  }

  /**
   * Runs `answer` and sends its payload as the request's success response, or its failure as an
   * error response: a {@link FrameError} as itself, anything else logged and sent as `internal`.
   */
  protected async respond(request: Request, answer: () => Promise<object>): Promise<void> {
    const { request_id: requestId, action } = request;
    try {
      const payload = await answer();
      this.sendText(JSON.stringify({ request_id: requestId, action, type: 'response', success: true, payload }));
    } catch (error) {
      if (error instanceof FrameError) return this.sendError(requestId, action, error.type, error.message);
      this.logger.error('websocket action failed', { action, ...this.logFields(), ...errorFields(error) });
      this.sendError(requestId, action, 'internal', 'internal server error');
    }
  }

  /** Reads one text frame. */
  protected abstract parse(text: string): RequestParseResult<R>;
  /** The rate limit a request draws from; undefined for none. */
  protected abstract bucketOf(request: R): TokenBucket | undefined;
  /** Answers one request; called in arrival order, one at a time, never after the close. */
  protected abstract run(request: R): Promise<void>;
  /** What identifies the connection in logs. */
  protected abstract logFields(): LogFields;
}
