/**
 * The websocket endpoint `/ws?organization=ORG&endpoint=ENDPOINT` for visitors' widgets. The checks
 * before `handleUpgrade` are the {@link SocketServer}'s; this endpoint adds its lookup (an unknown
 * path or endpoint is a 404) and its origin rule (the endpoint's `allowedOrigins` or the server's own).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from '../../protocol';
import type { App } from '../app';
import type { Endpoint } from '../endpoints';
import { isOwnOrigin } from '../security/client-guard';
import { Session, type SessionOptions } from './session';
import { SocketServer, type Refusal, type SocketServerOptions, type UpgradeTarget } from './socket-server';

export interface GatewayOptions extends SessionOptions, SocketServerOptions {}

/**
 * Whether a page at `origin` may open the widget of `endpoint`: listed in its `allowedOrigins`,
 * the configured public origin, or the origin this very request was addressed to (the server's own
 * pages; a browser cannot forge `Host`). A request without `Origin` is not from a browser page.
 */
export function isOriginAllowed(endpoint: Endpoint, origin: string | undefined, host: string | undefined, publicOrigin?: string): boolean {
  if (origin === undefined) return true;
  return endpoint.allowedOrigins.has(origin) || isOwnOrigin(origin, host, publicOrigin);
}

/** Accepts visitors' websocket upgrades and tells their sessions of settings changes. */
export class Gateway {
  private readonly server: SocketServer<Session>;

  constructor(
    private readonly app: App,
    private readonly options: GatewayOptions,
  ) {
    const { metrics, logger } = app;
    this.server = new SocketServer<Session>(options, {
      logger,
      name: 'websocket',
      opened: () => metrics.connections.inc(),
      closed: () => metrics.connections.dec(),
      goodbye: (session) => session.close(CloseCode.GoingAway, 'going away'),
    });
  }

  /** The http server's `upgrade` listener. Never rejects. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> =>
    this.server.upgrade(req, socket, head, () => this.route(req));

  get size(): number {
    return this.server.sessions.size;
  }

  /**
   * Tells every open widget of `endpoint` its new settings (`chat_properties_updated`, not stored:
   * a widget that connects later gets them at login). Returns how many were told.
   */
  announceSettings(endpoint: Endpoint): number {
    let told = 0;
    for (const session of this.server.sessions) {
      if (session.endpoint.endpoint !== endpoint.endpoint || session.chatId === undefined) continue;
      session.send({ action: 'chat_properties_updated', type: 'push', payload: { chat_id: session.chatId, properties: endpoint.settings } });
      told += 1;
    }
    return told;
  }

  /** Closes every connection with 1001 "going away"; terminates those that do not finish in time. */
  close(graceMs = 1000): Promise<void> {
    return this.server.close(graceMs);
  }

  private route(req: IncomingMessage): UpgradeTarget<Session> | Refusal {
    let url: URL;
    try {
      url = new URL(`http://localhost${req.url ?? '/'}`);
    } catch {
      return [400, 'validation', 'malformed request URL'];
    }
    if (url.pathname !== '/ws') return [404, 'not_found', 'no websocket at this path'];
    const endpoint = this.app.endpoints.find(url.searchParams.get('organization') ?? '', url.searchParams.get('endpoint') ?? '');
    if (!endpoint) return [404, 'not_found', 'unknown organization or endpoint'];
    return {
      allowsOrigin: (origin) => isOriginAllowed(endpoint, origin, req.headers.host, this.app.configuredOrigin),
      originRefusal: 'this origin may not embed this endpoint',
      logFields: { endpoint: endpoint.endpoint },
      open: (ws) => new Session(ws, endpoint, this.app, this.options),
    };
  }
}
