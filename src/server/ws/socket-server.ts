/**
 * What every websocket endpoint of the server (the visitors' `/ws`, the agents' `/agent/rtm`)
 * does around its sessions. Every refusal happens before `handleUpgrade`, as the ws README and
 * Centrifugo advise, and in one order: over the client's request rate 429, then the endpoint's own
 * lookup (404), a malformed handshake 400, a foreign `Origin` 403, shutting down 503, a connection
 * cap 429; nothing is created for a refused upgrade. Accepted sockets get a heartbeat spread over
 * its period (heartbeat-wheel.ts; a peer silent past `deadPeerMs` is terminated) and a bounded
 * close on shutdown.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Limits, type ErrorType } from '../../protocol';
import { errorFields, type LogFields, type Logger } from '../logger';
import { retryAfterSeconds, type ClientGuard } from '../security/client-guard';
import { ConnectionCaps } from '../security/connection-caps';
import type { Connection, Request } from './connection';
import { handshakeProblem } from './handshake';
import { HeartbeatWheel } from './heartbeat-wheel';

export interface SocketServerOptions {
  /** Interval of websocket pings. */
  heartbeatMs: number;
  /** A peer silent (no frame, no pong) for longer is terminated. */
  deadPeerMs: number;
  /** Open connections allowed in all; more upgrades are refused with 429. */
  maxConnections: number;
  /** Open connections allowed per client address (IPv4 address or IPv6 /64); more are refused with 429. */
  maxConnectionsPerIp: number;
  /** Identifies clients and rations their upgrade attempts (shared with the HTTP routes). */
  guard: ClientGuard;
}

/** An upgrade refused as `[status, type, message, retry-after seconds]`. */
export type Refusal = [status: number, type: ErrorType, message: string, retryAfterS?: number];

/** Where an upgrade goes, once its path and parameters are read. */
export interface UpgradeTarget<S> {
  /** Whether a browser page at `origin` may connect (a request without `Origin` is not from a page). */
  allowsOrigin(origin: string): boolean;
  /** The 403's message for any other origin. */
  originRefusal: string;
  /** What identifies the target in logs. */
  logFields: LogFields;
  /** The session of an accepted socket. */
  open(ws: WebSocket): S;
}

type AnySession = Connection<Request, object>;

export interface SocketServerHooks<S> {
  logger: Logger;
  /** Names the endpoint in log messages ("websocket", "agent websocket"). */
  name: string;
  opened?(session: S): void;
  closed?(session: S): void;
  /** Said to a peer found dead, just before it is terminated. */
  dead?(session: S): void;
  /** Said to every session when the server closes (it should close its socket with 1001). */
  goodbye(session: S): void;
}

/** Seconds a client refused for its connection count is asked to wait. */
const CAP_RETRY_AFTER_S = 5;

/** Answers an upgrade request with a plain HTTP error and drops the socket (as ws's abortHandshake). */
export function refuse(socket: Duplex, status: number, type: ErrorType, message: string, retryAfterS?: number): void {
  const body = JSON.stringify({ error: { type, message } });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      (retryAfterS === undefined ? '' : `Retry-After: ${retryAfterS}\r\n`) +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export class SocketServer<S extends AnySession> {
  readonly sessions = new Set<S>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: Limits.frameBytes, clientTracking: false });
  private readonly caps: ConnectionCaps;
  private readonly heartbeat: HeartbeatWheel<S>;
  private closing = false;

  constructor(
    private readonly options: SocketServerOptions,
    private readonly hooks: SocketServerHooks<S>,
  ) {
    this.caps = new ConnectionCaps(options.maxConnections, options.maxConnectionsPerIp);
    this.heartbeat = new HeartbeatWheel(options.heartbeatMs, (session) => this.beat(session));
  }

  /**
   * Runs the checks in order and accepts the upgrade; `route` finds where it goes (or refuses it)
   * once the client's request rate allows. Never rejects: a failure drops the socket.
   */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, route: () => UpgradeTarget<S> | Refusal): Promise<void> {
    socket.on('error', () => socket.destroy());
    try {
      const waitMs = await this.options.guard.take(req);
      if (waitMs > 0) {
        return refuse(socket, 429, 'too_many_requests', 'too many requests from this address', retryAfterSeconds(waitMs));
      }
      const target = route();
      if (Array.isArray(target)) return refuse(socket, ...target);
      const problem = handshakeProblem(req);
      if (problem) return refuse(socket, ...problem);
      const origin = req.headers.origin;
      if (origin !== undefined && !target.allowsOrigin(origin)) {
        this.hooks.logger.info(`${this.hooks.name} origin refused`, { ...target.logFields, origin });
        return refuse(socket, 403, 'authentication', target.originRefusal);
      }
      if (this.closing) return refuse(socket, 503, 'internal', 'the server is shutting down');
      const admission = this.caps.admit(this.options.guard.key(req));
      if (!admission.ok) {
        this.hooks.logger.info(`${this.hooks.name} connection cap reached`, { ...target.logFields, cap: admission.reason });
        const message = admission.reason === 'client' ? 'too many connections from this address' : 'too many connections';
        return refuse(socket, 429, 'too_many_requests', message, CAP_RETRY_AFTER_S);
      }
      // Counted until the TCP socket closes, however it closes (handshake failure included).
      socket.once('close', admission.release);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, target));
    } catch (error) {
      this.hooks.logger.error(`${this.hooks.name} upgrade failed`, errorFields(error));
      socket.destroy();
    }
  }

  /** Says goodbye to every session, waits up to `graceMs` for the sockets to close, terminates the rest. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    this.heartbeat.stop();
    const sockets = [...this.sessions].map((session) => session.ws);
    const closed = Promise.all(
      sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())))),
    );
    for (const session of this.sessions) this.hooks.goodbye(session);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, target: UpgradeTarget<S>): void {
    const session = target.open(ws);
    const { logger, name } = this.hooks;
    this.sessions.add(session);
    this.heartbeat.add(session);
    this.hooks.opened?.(session);
    ws.on('message', (data, isBinary) => session.onFrame(data, isBinary));
    ws.on('pong', () => {
      session.lastSeen = Date.now();
    });
    ws.on('error', (error) => logger.debug(`${name} error`, errorFields(error)));
    ws.on('close', () => {
      session.dispose();
      this.heartbeat.remove(session);
      if (this.sessions.delete(session)) this.hooks.closed?.(session);
    });
  }

  /** One session's heartbeat (the wheel spreads the sessions over the period). */
  private beat(session: S): void {
    if (Date.now() - session.lastSeen > this.options.deadPeerMs) {
      this.hooks.logger.debug(`terminating a dead ${this.hooks.name} peer`);
      this.hooks.dead?.(session);
      session.ws.terminate();
      return;
    }
    try {
      session.ws.ping();
    } catch {
      session.ws.terminate(); // not open any more: the close handler cleans up
    }
  }
}
