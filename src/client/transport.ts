/**
 * The socket lifecycle, knowing nothing of chats: open, heartbeat, dead-peer detection, and
 * reconnect with full-jitter backoff. One socket at a time; every handler first checks that its
 * socket is still the current one, so a late event from a replaced socket cannot act
 * (centrifuge-js compares transport ids for the same reason).
 */
import { CloseCode, FINAL_CLOSE_CODES, parseServerFrame, type ClientRequest, type ServerFrame } from '../protocol';
import { backoffDelay } from './backoff';
import type { Timers } from './timers';
import type { Logger, WebSocketFactory, WebSocketLike } from './types';

/** WebSocket.OPEN in the browser and in `ws`. */
const OPEN = 1;
/** What a socket that vanished without a close frame reports (RFC 6455 §7.1.5). */
const ABNORMAL_CLOSURE = 1006;

export interface TransportOptions {
  url: string;
  WebSocket: WebSocketFactory;
  timers: Timers;
  logger: Logger;
  random: () => number;
  /** Makes the `request_id` of a ping. */
  nextRequestId: () => string;
  pingIntervalMs: number;
  deadPeerMs: number;
  minReconnectDelayMs: number;
  maxReconnectDelayMs: number;
}

export interface TransportHandlers {
  /** A socket is being opened (first connect or a retry). */
  connecting(): void;
  /** The socket is open: log in now. */
  open(): void;
  /** A well-formed frame arrived. */
  frame(frame: ServerFrame): void;
  /** A frame was dropped because it could not be parsed. */
  malformed(reason: string): void;
  /** The socket is gone. Unless `final`, a reconnect is already scheduled. */
  down(info: { code: number; reason: string; final: boolean; retryInMs?: number }): void;
}

export class Transport {
  private socket: WebSocketLike | undefined;
  private attempt = 0;
  private running = false;

  constructor(
    private readonly options: TransportOptions,
    private readonly handlers: TransportHandlers,
  ) {}

  /** Opens a socket unless one is open or a retry is scheduled. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  /** True while a socket exists and has opened. */
  get isOpen(): boolean {
    return this.socket?.readyState === OPEN;
  }

  /** Sends one request; false (and the socket is dropped) when it cannot be sent. */
  send(request: ClientRequest): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(request));
      return true;
    } catch (error) {
      this.options.logger('warn', 'send failed; reconnecting', error);
      this.drop(CloseCode.Normal, 'send failed');
      return false;
    }
  }

  /**
   * Closes the current socket ourselves (a gap in `seq`, a dead peer, a re-login) and schedules a
   * reconnect with backoff. No-op without a socket.
   */
  drop(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.detach(socket);
    try {
      socket.close(code, reason);
    } catch (error) {
      this.options.logger('debug', 'close threw', error);
    }
    this.lost(code, reason);
  }

  /** Sends a ping every `pingIntervalMs` until the socket goes; the server's answer feeds the dead-peer timer. */
  startHeartbeat(): void {
    this.options.timers.set('ping', this.options.pingIntervalMs, () => {
      this.send({ request_id: this.options.nextRequestId(), action: 'ping', payload: {} });
      this.startHeartbeat();
    });
  }

  /** Called after a successful login: the next drop waits the shortest delay again. */
  resetBackoff(): void {
    this.attempt = 0;
  }

  /** When a retry is scheduled, makes it now (the browser came back online). */
  reconnectNow(): void {
    if (!this.running || this.socket || !this.options.timers.has('reconnect')) return;
    this.options.timers.clear('reconnect');
    this.open();
  }

  /** Closes with 1000 and cancels every timer of the transport. Idempotent; `start()` may follow. */
  stop(): void {
    this.running = false;
    const socket = this.socket;
    if (socket) {
      this.detach(socket);
      try {
        socket.close(CloseCode.Normal, 'client closed');
      } catch (error) {
        this.options.logger('debug', 'close threw', error);
      }
    }
    this.clearSocketTimers();
    this.options.timers.clear('reconnect');
  }

  private open(): void {
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(this.options.url);
    } catch (error) {
      // A bad URL or a blocked scheme throws synchronously; retrying later costs little.
      this.options.logger('error', 'cannot create the WebSocket', error);
      this.handlers.connecting();
      this.lost(ABNORMAL_CLOSURE, 'WebSocket constructor threw');
      return;
    }
    this.socket = socket;
    this.handlers.connecting();
    // Armed before the socket opens too: a connect that hangs is as dead as a silent peer.
    this.armDeadPeer();
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.armDeadPeer();
      this.handlers.open();
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.armDeadPeer();
      if (typeof event.data !== 'string') {
        this.options.logger('warn', 'dropped a binary frame');
        this.handlers.malformed('binary frame');
        return;
      }
      const parsed = parseServerFrame(event.data);
      if (!parsed.ok) {
        this.options.logger('warn', `dropped a malformed frame: ${parsed.error}`, event.data.slice(0, 200));
        this.handlers.malformed(parsed.error);
        return;
      }
      this.handlers.frame(parsed.value);
    };
    socket.onerror = (event) => {
      if (socket !== this.socket) return;
      // Browsers follow an error with a close; acting on the error alone also covers sockets that never close.
      this.options.logger('warn', 'socket error', event);
      this.detach(socket);
      this.lost(ABNORMAL_CLOSURE, 'socket error');
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.detach(socket);
      this.lost(event.code, event.reason);
    };
  }

  /** "Nothing at all arrived for deadPeerMs": a half-open TCP connection never reports a close. */
  private armDeadPeer(): void {
    this.options.timers.set('deadPeer', this.options.deadPeerMs, () => {
      this.options.logger('warn', `no frame from the server for ${this.options.deadPeerMs} ms; reconnecting`);
      this.drop(CloseCode.PingTimeout, 'no frame from the server');
    });
  }

  private detach(socket: WebSocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onerror = null;
    socket.onclose = null;
    if (this.socket === socket) this.socket = undefined;
  }

  private clearSocketTimers(): void {
    this.options.timers.clear('ping');
    this.options.timers.clear('deadPeer');
  }

  private lost(code: number, reason: string): void {
    this.socket = undefined;
    this.clearSocketTimers();
    if (!this.running) return;
    if (FINAL_CLOSE_CODES.includes(code)) {
      this.running = false;
      this.options.logger('error', `closed by the server with ${code} (${reason}); not reconnecting`);
      this.handlers.down({ code, reason, final: true });
      return;
    }
    const { minReconnectDelayMs, maxReconnectDelayMs, random } = this.options;
    const delay = backoffDelay(this.attempt, minReconnectDelayMs, maxReconnectDelayMs, random);
    this.attempt += 1;
    this.options.logger('info', `socket closed (${code} ${reason}); reconnecting in ${Math.round(delay)} ms`);
    this.options.timers.set('reconnect', delay, () => this.open());
    this.handlers.down({ code, reason, final: false, retryInMs: delay });
  }
}
