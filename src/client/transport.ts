/**
 * The socket lifecycle, knowing nothing of chats: open, heartbeat, dead-peer detection, and
 * reconnect with full-jitter backoff. One socket at a time; every handler first checks that its
 * socket is still the current one, so a late event from a replaced socket cannot act
 * (centrifuge-js compares transport ids for the same reason).
 */
import { CLOSE_NORMAL, CLOSE_PING_TIMEOUT, isFinalCloseCode, parseServerFrame, type Result, type ServerFrame } from '../protocol';
import type { Timers } from './timers';
import type { Logger, WebSocketFactory, WebSocketLike } from './types';

/** WebSocket.OPEN in the browser and in `ws`. */
const OPEN = 1;
/** What a socket that vanished without a close frame reports (RFC 6455 §7.1.5). */
const ABNORMAL_CLOSURE = 1006;

/** A request in the RTM envelope (the widget's, or the agent console's). */
export interface OutgoingRequest {
  request_id: string;
  action: string;
  payload: object;
}

export interface TransportOptions<F = ServerFrame> {
  url: string;
  /** Parses a text frame. Default: the widget's `parseServerFrame` (the console passes the agent parser). */
  parse?: (text: string) => Result<F>;
  WebSocket: WebSocketFactory;
  timers: Timers;
  logger: Logger;
  /** The delay before the reconnect after `attempt` failed ones (0 for the first). */
  backoff(attempt: number): number;
  /** Makes the `request_id` of a ping. */
  nextRequestId(): string;
  pingIntervalMs: number;
  deadPeerMs: number;
}

export interface TransportHandlers<F = ServerFrame> {
  /** A socket is being opened (first connect or a retry). */
  connecting(): void;
  /** The socket is open: log in now. */
  open(): void;
  /** A well-formed frame arrived. */
  frame(frame: F): void;
  /** A frame was dropped because it could not be parsed. */
  malformed(reason: string): void;
  /** The socket is gone. Unless `final`, a reconnect is already scheduled. */
  down(code: number, reason: string, final: boolean): void;
}

export interface Transport {
  /** Opens a socket unless one is open or a retry is scheduled. */
  start(): void;
  /** Sends one request; false (and the socket is dropped) when it cannot be sent. */
  send(request: OutgoingRequest): boolean;
  /**
   * Closes the current socket ourselves (a gap in `seq`, a dead peer, a re-login) and schedules a
   * reconnect with backoff. No-op without a socket.
   */
  drop(code: number, reason: string): void;
  /** Sends a ping every `pingIntervalMs` until the socket goes; the server's answer feeds the dead-peer timer. */
  startHeartbeat(): void;
  /** Called after a successful login: the next drop waits the shortest delay again. */
  resetBackoff(): void;
  /** When a retry is scheduled, makes it now (the browser came back online). */
  reconnectNow(): void;
  /** Closes with 1000 and cancels every timer of the transport. Idempotent; `start()` may follow. */
  stop(): void;
}

export function createTransport<F = ServerFrame>(options: TransportOptions<F>, handlers: TransportHandlers<F>): Transport {
  const parse = options.parse ?? (parseServerFrame as unknown as (text: string) => Result<F>);
  const { timers, logger: log } = options;
  let socket: WebSocketLike | undefined;
  let attempt = 0;
  let running = false;

  /** Forgets `current` if it is the socket, so none of its handlers acts again; false when it was not. */
  const detach = (current: WebSocketLike | undefined): current is WebSocketLike => {
    if (!current || current !== socket) return false;
    current.onopen = current.onmessage = current.onerror = current.onclose = null;
    socket = undefined;
    timers.clear('ping');
    timers.clear('deadPeer');
    return true;
  };

  const close = (current: WebSocketLike, code: number, reason: string): void => {
    try {
      current.close(code, reason);
    } catch (error) {
      log('debug', 'close threw', error);
    }
  };

  const lost = (code: number, reason: string): void => {
    if (!running) return;
    const final = isFinalCloseCode(code);
    if (final) running = false;
    else {
      const delay = options.backoff(attempt++);
      log('info', `closed (${code} ${reason}); retry in ${Math.round(delay)} ms`);
      timers.set('reconnect', delay, open);
    }
    handlers.down(code, reason, final);
  };

  const drop = (code: number, reason: string): void => {
    const current = socket;
    if (!detach(current)) return;
    close(current, code, reason);
    lost(code, reason);
  };

  const send = (request: OutgoingRequest): boolean => {
    if (socket?.readyState !== OPEN) return false;
    try {
      socket.send(JSON.stringify(request));
      return true;
    } catch (error) {
      log('warn', 'send failed', error);
      drop(CLOSE_NORMAL, 'send failed');
      return false;
    }
  };

  const heartbeat = (): void =>
    timers.set('ping', options.pingIntervalMs, () => {
      send({ request_id: options.nextRequestId(), action: 'ping', payload: {} });
      heartbeat();
    });

  /** "Nothing at all arrived for deadPeerMs": a half-open TCP connection never reports a close. */
  const armDeadPeer = () => timers.set('deadPeer', options.deadPeerMs, () => drop(CLOSE_PING_TIMEOUT, 'no frame from the server'));

  function open(): void {
    let current: WebSocketLike;
    try {
      current = new options.WebSocket(options.url);
    } catch (error) {
      // A bad URL or a blocked scheme throws synchronously; retrying later costs little.
      log('error', 'constructor threw', error);
      handlers.connecting();
      lost(ABNORMAL_CLOSURE, 'constructor threw');
      return;
    }
    socket = current;
    handlers.connecting();
    // Armed before the socket opens too: a connect that hangs is as dead as a silent peer.
    armDeadPeer();
    current.onopen = () => {
      if (current !== socket) return;
      armDeadPeer();
      handlers.open();
    };
    current.onmessage = ({ data }) => {
      if (current !== socket) return;
      armDeadPeer();
      const parsed = typeof data === 'string' ? parse(data) : { ok: false as const, error: 'binary frame' };
      if (parsed.ok) return handlers.frame(parsed.value);
      log('warn', `dropped a malformed frame: ${parsed.error}`, data);
      handlers.malformed(parsed.error);
    };
    // Browsers follow an error with a close; acting on the error alone also covers sockets that never close.
    current.onerror = (event) => {
      if (!detach(current)) return;
      log('warn', 'socket error', event);
      lost(ABNORMAL_CLOSURE, 'socket error');
    };
    current.onclose = ({ code, reason }) => {
      if (detach(current)) lost(code, reason);
    };
  }

  return {
    start() {
      if (running) return;
      running = true;
      open();
    },
    send,
    drop,
    startHeartbeat: heartbeat,
    resetBackoff() {
      attempt = 0;
    },
    reconnectNow() {
      if (!running || socket || !timers.has('reconnect')) return;
      timers.clear('reconnect');
      open();
    },
    stop() {
      running = false;
      const current = socket;
      if (detach(current)) close(current, CLOSE_NORMAL, 'client closed');
      timers.clear('reconnect');
    },
  };
}
