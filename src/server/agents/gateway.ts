/**
 * The agent websocket `GET /agent/rtm?organization=ORG`. As for visitors, every refusal happens
 * before `handleUpgrade`: over the client's request rate 429, unknown organization 404, a
 * malformed handshake 400, an `Origin` other than the server's own 403 (agents use the console on
 * this server, or a client that sends no `Origin`), at a connection cap 429.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, Limits } from '../../protocol';
import { errorFields, type Logger } from '../logger';
import { isOwnOrigin, retryAfterSeconds, type ClientGuard } from '../security/client-guard';
import { ConnectionCaps } from '../security/connection-caps';
import { handshakeProblem } from '../ws/handshake';
import { refuse } from '../ws/gateway';
import type { AgentDirectory } from './directory';
import type { AgentPresence } from './presence';
import type { AgentService } from './service';
import { AgentSession, type AgentSessionOptions } from './session';

/** The path of the agent websocket. */
export const AGENT_RTM_PATH = '/agent/rtm';

export interface AgentGatewayOptions extends AgentSessionOptions {
  heartbeatMs: number;
  deadPeerMs: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  guard: ClientGuard;
  /** The configured public origin, if any (always counts as the server's own). */
  publicOrigin: string | undefined;
}

export interface AgentGatewayDeps {
  directory: AgentDirectory;
  presence: AgentPresence;
  service: AgentService;
  logger: Logger;
}

export class AgentGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: Limits.frameBytes, clientTracking: false });
  private readonly sessions = new Set<AgentSession>();
  private readonly caps: ConnectionCaps;
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly deps: AgentGatewayDeps,
    private readonly options: AgentGatewayOptions,
  ) {
    this.caps = new ConnectionCaps(options.maxConnections, options.maxConnectionsPerIp);
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Takes the upgrade when it is for the agent path; false to leave it to the next handler. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    let url: URL;
    try {
      url = new URL(`http://localhost${req.url ?? '/'}`);
    } catch {
      return false;
    }
    if (url.pathname !== AGENT_RTM_PATH) return false;
    socket.on('error', () => socket.destroy());
    // The per-address limit may count in Redis: the rest of the checks run once it answers.
    this.options.guard.take(req).then(
      (waitMs) => this.upgrade(req, socket, head, url, waitMs),
      () => socket.destroy(),
    );
    return true;
  };

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, waitMs: number): void {
    if (waitMs > 0) {
      refuse(socket, 429, 'too_many_requests', 'too many requests from this address', retryAfterSeconds(waitMs));
      return;
    }
    const organization = url.searchParams.get('organization') ?? '';
    if (!this.deps.directory.hasOrganization(organization)) {
      refuse(socket, 404, 'not_found', 'unknown organization');
      return;
    }
    const problem = handshakeProblem(req);
    if (problem) {
      refuse(socket, ...problem);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, req.headers.host, this.options.publicOrigin)) {
      this.deps.logger.info('agent websocket origin refused', { origin });
      refuse(socket, 403, 'authentication', 'the agent websocket is for pages of this server only');
      return;
    }
    if (this.closing) {
      refuse(socket, 503, 'internal', 'the server is shutting down');
      return;
    }
    const admission = this.caps.admit(this.options.guard.key(req));
    if (!admission.ok) {
      refuse(socket, 429, 'too_many_requests', admission.reason === 'client' ? 'too many connections from this address' : 'too many connections', 5);
      return;
    }
    socket.once('close', admission.release);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, organization));
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Tells every agent the server ends its session, closes with 1001, terminates laggards. */
  async close(graceMs = 1000): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const sockets = [...this.sessions].map((session) => session.ws);
    const closed = Promise.all(
      sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())))),
    );
    for (const session of this.sessions) session.disconnect('agent_disconnected_by_server', CloseCode.GoingAway);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, organization: string): void {
    const { directory, presence, service, logger } = this.deps;
    const session = new AgentSession(ws, { organization, directory, presence, service, logger }, this.options);
    this.sessions.add(session);
    ws.on('message', (data, isBinary) => session.onFrame(data, isBinary));
    ws.on('pong', () => {
      session.lastSeen = Date.now();
    });
    ws.on('error', (error) => logger.debug('agent websocket error', errorFields(error)));
    ws.on('close', () => {
      session.dispose();
      this.sessions.delete(session);
    });
  }

  private beat(): void {
    const now = Date.now();
    for (const session of this.sessions) {
      if (now - session.lastSeen > this.options.deadPeerMs) {
        session.disconnect('ping_timeout', CloseCode.PingTimeout);
        session.ws.terminate();
        continue;
      }
      try {
        session.ws.ping();
      } catch {
        session.ws.terminate();
      }
    }
  }
}
