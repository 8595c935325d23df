/**
 * The agent websocket `GET /agent/rtm?organization=ORG`. The checks before `handleUpgrade` are the
 * {@link SocketServer}'s, as for visitors; this endpoint adds its lookup (an unknown organization
 * is a 404) and its origin rule: only the server's own (agents use the console on this server, or
 * a client that sends no `Origin`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from '../../protocol';
import type { Logger } from '../logger';
import { isOwnOrigin } from '../security/client-guard';
import { SocketServer, type Refusal, type SocketServerOptions, type UpgradeTarget } from '../ws/socket-server';
import type { AgentDirectory } from './directory';
import type { AgentPresence } from './presence';
import type { AgentService } from './service';
import { AgentSession, type AgentSessionOptions } from './session';

/** The path of the agent websocket. */
export const AGENT_RTM_PATH = '/agent/rtm';

export interface AgentGatewayOptions extends AgentSessionOptions, SocketServerOptions {
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
  private readonly server: SocketServer<AgentSession>;

  constructor(
    private readonly deps: AgentGatewayDeps,
    private readonly options: AgentGatewayOptions,
  ) {
    this.server = new SocketServer<AgentSession>(options, {
      logger: deps.logger,
      name: 'agent websocket',
      dead: (session) => session.disconnect('ping_timeout', CloseCode.PingTimeout),
      // Tells every agent the server ends its session, then closes with 1001.
      goodbye: (session) => session.disconnect('agent_disconnected_by_server', CloseCode.GoingAway),
    });
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
    void this.server.upgrade(req, socket, head, () => this.route(req, url));
    return true;
  };

  get size(): number {
    return this.server.sessions.size;
  }

  /** Tells every agent the server ends its session, closes with 1001, terminates laggards. */
  close(graceMs = 1000): Promise<void> {
    return this.server.close(graceMs);
  }

  private route(req: IncomingMessage, url: URL): UpgradeTarget<AgentSession> | Refusal {
    const organization = url.searchParams.get('organization') ?? '';
    if (!this.deps.directory.hasOrganization(organization)) return [404, 'not_found', 'unknown organization'];
    return {
      allowsOrigin: (origin) => isOwnOrigin(origin, req.headers.host, this.options.publicOrigin),
      originRefusal: 'the agent websocket is for pages of this server only',
      logFields: { organization },
      open: (ws) => new AgentSession(ws, { ...this.deps, organization }, this.options),
    };
  }
}
