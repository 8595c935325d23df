/**
 * The websocket endpoint `/ws?organization=ORG&endpoint=ENDPOINT`. Everything that can refuse a
 * connection happens before `handleUpgrade` (as the ws README and Centrifugo advise): a client
 * over its request rate gets a raw 429, an unknown endpoint a 404, a foreign `Origin` a 403, a
 * client (or the server) at its connection cap a 429, and nothing is created.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, Limits, type ErrorType } from '../../protocol';
import type { App } from '../app';
import type { Endpoint } from '../endpoints';
import { errorFields } from '../logger';
import { isOwnOrigin, retryAfterSeconds, type ClientGuard } from '../security/client-guard';
import { ConnectionCaps } from '../security/connection-caps';
import { handshakeProblem } from './handshake';
import { Session, type SessionOptions } from './session';

export interface GatewayOptions extends SessionOptions {
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

/** Seconds a client refused for its connection count is asked to wait. */
const CAP_RETRY_AFTER_S = 5;

/**
 * Whether a page at `origin` may open the widget of `endpoint`: listed in its `allowedOrigins`,
 * the configured public origin, or the origin this very request was addressed to (the server's own
 * pages; a browser cannot forge `Host`). A request without `Origin` is not from a browser page.
 */
export function isOriginAllowed(endpoint: Endpoint, origin: string | undefined, host: string | undefined, publicOrigin?: string): boolean {
  if (origin === undefined) return true;
  return endpoint.allowedOrigins.has(origin) || isOwnOrigin(origin, host, publicOrigin);
}

/** Accepts websocket upgrades, tracks sessions, runs the heartbeat and closes everything on shutdown. */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: Limits.frameBytes, clientTracking: false });
  private readonly sessions = new Set<Session>();
  private readonly caps: ConnectionCaps;
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly app: App,
    private readonly options: GatewayOptions,
  ) {
    this.caps = new ConnectionCaps(options.maxConnections, options.maxConnectionsPerIp);
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** The http server's `upgrade` listener (async: the per-address limit may count in Redis). */
  readonly handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(`http://localhost${req.url ?? '/'}`);
    } catch {
      return refuse(socket, 400, 'validation', 'malformed request URL');
    }
    const waitMs = await this.options.guard.take(req);
    if (waitMs > 0) {
      return refuse(socket, 429, 'too_many_requests', 'too many requests from this address', retryAfterSeconds(waitMs));
    }
    if (url.pathname !== '/ws') return refuse(socket, 404, 'not_found', 'no websocket at this path');
    const endpoint = this.app.endpoints.find(
      url.searchParams.get('organization') ?? '',
      url.searchParams.get('endpoint') ?? '',
    );
    if (!endpoint) return refuse(socket, 404, 'not_found', 'unknown organization or endpoint');
    const problem = handshakeProblem(req);
    if (problem) return refuse(socket, ...problem);
    const origin = req.headers.origin;
    if (!isOriginAllowed(endpoint, origin, req.headers.host, this.app.configuredOrigin)) {
      this.app.logger.info('websocket origin refused', { endpoint: endpoint.endpoint, origin });
      return refuse(socket, 403, 'authentication', 'this origin may not embed this endpoint');
    }
    if (this.closing) return refuse(socket, 503, 'internal', 'the server is shutting down');
    const admission = this.caps.admit(this.options.guard.key(req));
    if (!admission.ok) {
      this.app.logger.info('websocket connection cap reached', { endpoint: endpoint.endpoint, cap: admission.reason });
      const message = admission.reason === 'client' ? 'too many connections from this address' : 'too many connections';
      return refuse(socket, 429, 'too_many_requests', message, CAP_RETRY_AFTER_S);
    }
    // Counted until the TCP socket closes, however it closes (handshake failure included).
    socket.once('close', admission.release);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, endpoint));
  };

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Tells every open widget of `endpoint` its new settings (`chat_properties_updated`, not stored:
   * a widget that connects later gets them at login). Returns how many were told.
   */
  announceSettings(endpoint: Endpoint): number {
    let told = 0;
    for (const session of this.sessions) {
      if (session.endpoint.endpoint !== endpoint.endpoint || session.chatId === undefined) continue;
      session.send({ action: 'chat_properties_updated', type: 'push', payload: { chat_id: session.chatId, properties: endpoint.settings } });
      told += 1;
    }
    return told;
  }

  /** Closes every connection with 1001 "going away"; terminates those that do not finish in time. */
  async close(graceMs = 1000): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const sockets = [...this.sessions].map((session) => session.ws);
    const closed = Promise.all(
      sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())))),
    );
    for (const session of this.sessions) session.close(CloseCode.GoingAway, 'going away');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, endpoint: Endpoint): void {
    const session = new Session(ws, endpoint, this.app, this.options);
    const { metrics, logger } = this.app;
    this.sessions.add(session);
    metrics.connections.inc();
    ws.on('message', (data, isBinary) => session.onFrame(data, isBinary));
    ws.on('pong', () => {
      session.lastSeen = Date.now();
    });
    ws.on('error', (error) => logger.debug('websocket error', errorFields(error)));
    ws.on('close', () => {
      session.dispose();
      if (this.sessions.delete(session)) metrics.connections.dec();
    });
  }

  private beat(): void {
    const now = Date.now();
    for (const session of this.sessions) {
      if (now - session.lastSeen > this.options.deadPeerMs) {
        this.app.logger.debug('terminating a dead websocket peer', { chatId: session.chatId });
        session.ws.terminate();
        continue;
      }
      try {
        session.ws.ping();
      } catch {
        session.ws.terminate(); // not open any more: the close handler cleans up
      }
    }
  }
}
