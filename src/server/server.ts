/**
 * Wires one Roundel server: store, hub, bot runtime, HTTP routes and the websocket gateway.
 * The server never listens by itself: callers `listen()` on {@link RoundelServer.httpServer}.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { App } from './app';
import { ChatService } from './chat/service';
import { Hub } from './chat/hub';
import { createRedisClient } from './bus/redis';
import { openClusterNode } from './cluster/node';
import { EndpointRegistry, type EndpointConfig } from './endpoints';
import { createApi } from './http/api';
import { PUSHGATE_ROUTE, createPushgate, withPushgateCors } from './http/pushgate';
import { createRequestHandler } from './http/router';
import { createJsonLogger, errorFields, type Logger } from './logger';
import { ServerMetrics } from './metrics';
import type { RateLimit } from './rate-limit';
import { PushbackService } from './runtime/pushbacks';
import { BotRuntime } from './runtime/runtime';
import { instrumentStore } from './store/instrument';
import { openSqliteStore } from './store/sqlite';
import type { Retention, Store } from './store/types';
import { rateLimited, sameOriginOnly } from './security/client-guard';
import { hardenHttpServer } from './security/http-server';
import { createTokenSigner, positive, resolveSecurity, type SecurityOptions } from './security/options';
import { Gateway } from './ws/gateway';
import { createAgentSide } from './agents';
import type { Bus } from './bus';
import { chatPort } from './agents/chat-port';
import { createConsoleRoute } from './agents/console-route';
import type { RetrySchedule } from './webhooks/schedule';
import { DEFAULT_FILE_URL_TTL_MS, DEFAULT_UPLOAD_RATE_LIMIT } from './files/limits';
import { FileUrlSigner } from './files/urls';
import { createFileRoutes } from './http/files';

/** Options of {@link createServer}; the security ones ({@link SecurityOptions}) are listed in docs/security.md. */
export interface ServerOptions extends SecurityOptions {
  /** SQLite database file (`:memory:` for a throwaway one). Its directory must exist. */
  dbPath: string;
  endpoints: EndpointConfig[];
  /** Base URL of pushback links and the always-allowed origin. Default: derived from the listening address. */
  publicUrl?: string;
  /** The built widget (`dist/messenger.js`) served at `/messenger.js`. Default: none (404). */
  widgetFile?: string;
  /** Directory served at `/` (the demo host page). Default: none (404). */
  demoDir?: string;
  /** The built agent console (`dist/console`) served at `/agent/`. Default: none (the page loads no script). */
  consoleDir?: string;
  /** PostgreSQL URL: every durable thing lives there, shared by every node (docs/scaling.md). Default: the SQLite file. */
  database?: string;
  /** Redis URL carrying live pushes and wake-ups between the nodes. Needs `database`. */
  redis?: string;
  /**
   * This node's name (`/healthz`, logs, shard and webhook leases). Default: with a database,
   * `<host name>-<pid>`; with the embedded SQLite file (one process per file), the host name, so a
   * restarted server frees the webhook leases its previous life held instead of waiting them out.
   */
  nodeId?: string;
  /** The bus between nodes; agent pushes are relayed over it to the agents of every node. Default: none (one node). */
  bus?: Bus;
  /** Webhook retries. Default: exponential from 1 s up to 15 min between attempts, for 24 h. */
  webhookRetry?: RetrySchedule;
  /** Test hook: runs after a push's commit, before its webhook deliveries are enqueued (see agents/index.ts). */
  beforeWebhookEnqueue?: (action: string) => void;
  /** Default: JSON lines on stderr at `info`. */
  logger?: Logger;
  /** Test hook: called with the store once it is open (to inject commit failures with `failNextCommits`). */
  onStore?: (store: Store) => void;
  /** Time a bot handler may run. Default 10 000 ms. */
  handlerTimeoutMs?: number;
  /** HMAC key signing session tokens (see `previousSecrets` for rotation). Default: 32 random bytes generated once and kept in the database. */
  secret?: string | Uint8Array;
  /** Default `{ maxEvents: 1000, maxAgeDays: 30 }`. */
  retention?: Partial<Retention>;
  /** SQLite `synchronous`. Default `FULL`. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Per pushback id. Default burst 100, then 20/s: a mailing service may fire a batch at once. */
  pushgateRateLimit?: RateLimit;
  /** Visitor messages, postbacks and page events per connection. Default burst 20, 10/s. */
  messageRateLimit?: RateLimit;
  /** Websocket ping interval. Default 15 000 ms. */
  heartbeatMs?: number;
  /** A peer silent for longer is terminated. Default 30 000 ms. */
  deadPeerMs?: number;
  /** A connection that has not logged in by then is closed with 4001. Default 30 000 ms. */
  loginTimeoutMs?: number;
  /** Open websocket connections allowed. Default 10 000. */
  maxConnections?: number;
  /** Chats whose bot handlers may run at once. Default 64. */
  handlerConcurrency?: number;
  /** Visitor file uploads per chat. Default burst 10, then one every 6 s. */
  uploadRateLimit?: RateLimit;
  /** Lifetime of a signed file URL (the bot's in `onFile`, the widget's). Default 24 h. */
  fileUrlTtlMs?: number;
}

/** A created server. */
export interface RoundelServer {
  /** The Node HTTP server (not listening yet). */
  readonly httpServer: Server;
  /** The public URL: configured, or derived from the listening address. */
  url(): string;
  /** Resolves when no bot handler runs or waits (tests). */
  idle(): Promise<void>;
  /** Stop accepting, close sockets with 1001, let handlers finish briefly, close the store. Within 5 s; idempotent. */
  close(): Promise<void>;
  /**
   * Applies a reloaded config's endpoints without dropping a connection (SIGHUP): open widgets of
   * an endpoint whose settings changed get `chat_properties_updated`. Throws a TypeError, and
   * changes nothing, when the endpoints are invalid. Returns the endpoints whose settings changed.
   */
  reloadEndpoints(configs: readonly EndpointConfig[]): string[];
}

const HOUR_MS = 60 * 60 * 1000;

function normalizePublicUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('publicUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('publicUrl must be an http(s) URL');
  return url.href.replace(/\/+$/, '');
}

function listeningUrl(server: Server): string {
  const address = server.address();
  if (address === null || typeof address === 'string') return 'http://127.0.0.1';
  // A wildcard address is not something a browser can call: point at loopback.
  const wildcard: Record<string, string> = { '0.0.0.0': '127.0.0.1', '::': '::1' };
  const host = wildcard[address.address] ?? address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** Creates a Roundel server. @throws TypeError naming a bad option. */
export async function createServer(options: ServerOptions): Promise<RoundelServer> {
  const logger = options.logger ?? createJsonLogger();
  const endpoints = new EndpointRegistry(options.endpoints);
  const configuredUrl = normalizePublicUrl(options.publicUrl);
  const handlerTimeoutMs = positive('handlerTimeoutMs', options.handlerTimeoutMs, 10_000);
  const concurrency = positive('handlerConcurrency', options.handlerConcurrency, 64);
  const fileUrlTtlMs = positive('fileUrlTtlMs', options.fileUrlTtlMs, DEFAULT_FILE_URL_TTL_MS);
  if (options.redis !== undefined && options.database === undefined) throw new TypeError('redis needs database');
  // With several nodes, per-address and per-pushback limits count in Redis, across the nodes.
  const limitsRedis = options.rateLimitRedis === undefined && options.redis !== undefined ? createRedisClient(options.redis, logger) : undefined;
  const security = resolveSecurity(limitsRedis ? { ...options, rateLimitRedis: limitsRedis } : options);
  const gatewayOptions = {
    heartbeatMs: positive('heartbeatMs', options.heartbeatMs, 15_000),
    deadPeerMs: positive('deadPeerMs', options.deadPeerMs, 30_000),
    loginTimeoutMs: positive('loginTimeoutMs', options.loginTimeoutMs, 30_000),
    maxConnections: positive('maxConnections', options.maxConnections, 10_000),
    rateLimit: options.messageRateLimit ?? { burst: 20, perSecond: 10 },
    controlRateLimit: { burst: 10, perSecond: 1 },
    maxConnectionsPerIp: security.maxConnectionsPerIp,
    guard: security.guard,
    closeGraceMs: security.closeGraceMs,
    maxBufferedBytes: security.maxBufferedBytes,
    slowConsumerMs: security.slowConsumerMs,
    maxQueued: 64,
  };
  const nodeId = options.nodeId ?? (options.database === undefined ? hostname() : `${hostname()}-${process.pid}`);
  // Every option is checked before the database is opened, so a TypeError leaves nothing open.
  const metrics = new ServerMetrics();
  const commits = metrics.storeCommits.bind();
  const cluster =
    options.database === undefined
      ? undefined
      : await openClusterNode({ database: options.database, redis: options.redis, nodeId, logger, retention: options.retention, onCommit: () => commits.inc() });
  limitsRedis?.connect().catch((error: unknown) => logger.warn('redis for rate limits unreachable; counting in memory', errorFields(error)));
  const store = instrumentStore(
    cluster?.store ??
      openSqliteStore(options.dbPath, {
        synchronous: options.synchronous,
        retention: options.retention,
        onCommit: () => commits.inc(),
        onCheckpointError: (message) => logger.error('sqlite checkpoint failed', { error: message }),
      }),
    metrics.storeSeconds,
  );
  options.onStore?.(store);
  metrics.pendingWebhooks = () => store.webhooks.pendingCount();
  let currentSecret: Buffer;
  try {
    currentSecret =
      options.secret !== undefined
        ? Buffer.from(options.secret)
        : Buffer.from(await store.putMetaIfAbsent('token_secret', randomBytes(32).toString('base64url')));
  } catch (error) {
    // Not started: let go of the database pool and the Redis connections (a process could not exit).
    await cluster?.close().catch(() => undefined);
    limitsRedis?.disconnect();
    await store.close().catch(() => undefined);
    throw error;
  }

  const httpServer = createHttpServer();
  const publicUrl = () => configuredUrl ?? listeningUrl(httpServer);
  const hub = cluster?.hub ?? new Hub();
  const chats = new ChatService(store, hub, metrics);
  const pushbacks = new PushbackService(store, publicUrl);
  const fileUrls = new FileUrlSigner([currentSecret, ...security.previousSecrets], fileUrlTtlMs);
  const fileUrl = (id: string) => fileUrls.url(publicUrl(), id);
  const agents = createAgentSide({
    store,
    port: chatPort(store, chats, hub),
    endpoints: () => endpoints.all(),
    logger,
    nodeId,
    metrics,
    fileUrl,
    // Agent pushes cross nodes on the cluster's bus (or on one given by the caller).
    ...((options.bus ?? cluster?.bus) ? { bus: options.bus ?? cluster?.bus } : {}),
    ...(options.webhookRetry ? { retrySchedule: options.webhookRetry } : {}),
    ...(options.beforeWebhookEnqueue ? { beforeWebhookEnqueue: options.beforeWebhookEnqueue } : {}),
    gateway: {
      ...gatewayOptions,
      rateLimit: gatewayOptions.rateLimit,
      loginRateLimit: gatewayOptions.controlRateLimit,
      publicOrigin: configuredUrl === undefined ? undefined : new URL(configuredUrl).origin,
    },
  });
  chats.observer = agents.feed;
  const runtime = new BotRuntime(
    { store, chats, pushbacks, endpoints, metrics, logger, handoff: agents.service, fileUrl },
    { handlerTimeoutMs, concurrency, placement: cluster?.placement },
  );
  chats.runtime = runtime;
  const app: App = {
    store,
    hub,
    chats,
    runtime,
    pushbacks,
    endpoints,
    metrics,
    logger,
    tokens: createTokenSigner(currentSecret, security, logger),
    publicUrl,
    configuredOrigin: configuredUrl === undefined ? undefined : new URL(configuredUrl).origin,
    agents,
    fileUrls,
    nodeId,
    // The embedded file is always there; a shared database may not be.
    healthy: cluster ? () => cluster.healthy() : () => Promise.resolve(true),
  };
  const gateway = new Gateway(app, gatewayOptions);
  const api = createApi(app);
  httpServer.on(
    'request',
    createRequestHandler(app, {
      widgetFile: options.widgetFile,
      demoDir: options.demoDir,
      pushgate: withPushgateCors(
        rateLimited(
          security.guard,
          createPushgate(app, options.pushgateRateLimit ?? { burst: 100, perSecond: 20 }, options.rateLimitRedis ?? limitsRedis),
          () => PUSHGATE_ROUTE,
        ),
      ),
      api: rateLimited(security.guard, sameOriginOnly(publicUrl, api), api.routeOf),
      files: rateLimited(
        security.guard,
        createFileRoutes(app, { rateLimit: options.uploadRateLimit ?? DEFAULT_UPLOAD_RATE_LIMIT, redis: options.rateLimitRedis ?? limitsRedis }),
        (url) => (url.pathname === '/files' ? '/files' : '/files/{id}'),
      ),
      console: createConsoleRoute(options.consoleDir, () => [...endpoints.all()][0]?.organization ?? ''),
    }),
  );
  httpServer.on('upgrade', (req, socket, head) => {
    if (!agents.gateway.handleUpgrade(req, socket, head)) gateway.handleUpgrade(req, socket, head).catch(() => socket.destroy());
  });
  hardenHttpServer(httpServer);

  const trim = () => store.trim(new Date()).catch((error: unknown) => logger.error('trim failed', errorFields(error)));
  const trimTimer = setInterval(trim, HOUR_MS);
  trimTimer.unref();
  // Pending work is resumed once the server listens: a pushback link made by a recovered
  // handler needs the listening address when no public URL is configured.
  httpServer.once('listening', () => {
    void trim();
    agents.start();
    if (cluster) {
      // With several nodes, this node runs the pending work of the shards it takes.
      cluster.start((chatId) => runtime.schedule(chatId)).catch((error: unknown) => logger.error('joining the cluster failed', errorFields(error)));
      return;
    }
    runtime.recover().then(
      (count) => count > 0 && logger.info('resuming unprocessed inbox items', { chats: count }),
      (error: unknown) => logger.error('recovering the inbox failed', errorFields(error)),
    );
  });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    clearInterval(trimTimer);
    const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    await Promise.all([gateway.close(1000), agents.close(1000)]);
    await runtime.stop(2500);
    httpServer.closeAllConnections();
    await stopped;
    // After the last turn committed: give the shards back, so other nodes take them at once.
    await cluster?.close();
    limitsRedis?.disconnect();
    await store.close();
    logger.info('server closed');
  };

  return {
    httpServer,
    url: publicUrl,
    idle: () => runtime.idle(),
    close: () => (closing ??= close()),
    reloadEndpoints(configs) {
      const changed = endpoints.reload(configs);
      for (const endpoint of changed) {
        const told = gateway.announceSettings(endpoint);
        logger.info('endpoint settings changed', { endpoint: endpoint.endpoint, widgetsTold: told });
      }
      return changed.map((endpoint) => endpoint.endpoint);
    },
  };
}
