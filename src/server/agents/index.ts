/**
 * The agent side (docs/agent-api.md): the agent websocket, the service behind it, the feed of
 * agent pushes, and the webhook outbox's delivery worker, wired once per server.
 * @module server/agents
 */
import { parseAgentPush, type AgentPush } from '../../protocol';
import type { PushOrigin } from '../webhooks/outbox';
import type { Bus } from '../bus';
import type { Logger } from '../logger';
import { errorFields } from '../logger';
import type { Store } from '../store/types';
import { WebhookDispatcher, type DeliveryResult } from '../webhooks/dispatcher';
import type { WebhookConfig } from '../webhooks/outbox';
import { WebhookRecorder } from '../webhooks/recorder';
import { CursorSweeper } from '../webhooks/sweep';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from '../webhooks/schedule';
import { AgentDirectory, type AgentEndpoint } from './directory';
import { AgentFeed } from './feed';
import { AgentGateway, type AgentGatewayOptions } from './gateway';
import type { ChatPort } from './port';
import { AgentPresence } from './presence';
import { AgentService } from './service';

export { AGENT_RTM_PATH } from './gateway';
export { AgentError, type AgentService } from './service';
export type { AgentFeed } from './feed';

/** An endpoint as the agent side reads it: its agents and its webhooks. */
export interface AgentSideEndpoint extends AgentEndpoint {
  webhooks: readonly WebhookConfig[];
}

export interface AgentSideDeps {
  store: Store;
  port: ChatPort;
  endpoints: () => Iterable<AgentSideEndpoint>;
  logger: Logger;
  /** This node's name (owner of its webhook leases). */
  nodeId: string;
  gateway: AgentGatewayOptions;
  /** The signed, expiring URL of a visitor's file (files/urls.ts), for agents and webhooks. */
  fileUrl: (fileId: string) => string;
  /** Default: 24 h of exponential backoff from 1 s. */
  retrySchedule?: RetrySchedule;
  /**
   * The bus between nodes: agent pushes made on this node reach the agents connected to the
   * others. Without one (a single node) they go to this node's agents directly.
   */
  bus?: Bus;
  /**
   * Test hook (fault injection): runs just before the deliveries of a committed push are
   * enqueued, after that push's commit (a crash test SIGKILLs the process here).
   */
  beforeWebhookEnqueue?: (action: string) => void;
  /** The `/metrics` series of the agent side. */
  metrics: {
    agentsOnline: { set(value: number): void };
    chatsQueued: { set(value: number): void };
    webhookDeliveries: { inc(labels: { result: DeliveryResult }): void };
  };
}

export interface AgentSide {
  directory: AgentDirectory;
  presence: AgentPresence;
  feed: AgentFeed;
  service: AgentService;
  gateway: AgentGateway;
  dispatcher: WebhookDispatcher;
  /** Starts the webhook worker (pending deliveries from before a restart included). */
  start(): void;
  close(graceMs: number): Promise<void>;
}

/** How often each node of a cluster looks for chats left behind their webhook cursor by a dead node. */
const STUCK_SWEEP_MS = 60_000;

export function createAgentSide(deps: AgentSideDeps): AgentSide {
  const { store, port, logger } = deps;
  const endpointNamed = (name: string) => [...deps.endpoints()].find((e) => e.endpoint === name);
  const directory = new AgentDirectory(deps.endpoints);
  const presence = new AgentPresence((online) => deps.metrics.agentsOnline.set(online));
  const dispatcher = new WebhookDispatcher({
    outbox: store.webhooks,
    owner: deps.nodeId,
    schedule: deps.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    resolve: (endpoint, url) => endpointNamed(endpoint)?.webhooks.find((hook) => hook.url === url),
    onResult: (result, delivery, detail) => {
      deps.metrics.webhookDeliveries.inc({ result });
      const fields = { webhookId: delivery.webhookId, action: delivery.action, attempts: delivery.attempts + 1, detail };
      if (result === 'abandoned') logger.warn('webhook delivery abandoned', fields);
      else logger.debug(`webhook ${result}`, fields);
    },
    onError: (error) => logger.error('webhook worker failed', errorFields(error)),
  });
  const recorder = new WebhookRecorder({
    outbox: store.webhooks,
    source(endpoint) {
      const target = endpointNamed(endpoint);
      return target && target.webhooks.length > 0 ? { organization: target.organization, endpoint, hooks: target.webhooks } : undefined;
    },
    enqueued: () => dispatcher.poke(),
    onError: (error) => logger.error('storing webhook cursors failed', errorFields(error)),
  });
  const { beforeWebhookEnqueue } = deps;
  const webhooks = async (endpoint: string, push: AgentPush, origin?: PushOrigin): Promise<void> => {
    if (beforeWebhookEnqueue && origin) beforeWebhookEnqueue(push.action);
    await recorder.record(endpoint, push, origin);
  };
  const hookedEndpoints = () => [...deps.endpoints()].filter((endpoint) => endpoint.webhooks.length > 0).map((endpoint) => endpoint.endpoint);
  const hasWebhooks = () => hookedEndpoints().length > 0;
  const { bus } = deps;
  const topic = (endpoint: string) => `agents:${endpoint}`;
  // Webhooks are enqueued once, by the node where the push happened; agents get it on every node.
  const broadcast = bus ? (endpoint: string, push: AgentPush) => void bus.publish(topic(endpoint), push) : undefined;
  const relayed = (endpoint: string) => (message: unknown) => {
    const push = parseAgentPush(message);
    if (push.ok) presence.broadcast(endpoint, push.value);
    else logger.warn('dropped a malformed agent push from the bus', { endpoint, error: push.error });
  };
  const subscriptions = bus ? [...deps.endpoints()].map((endpoint) => [topic(endpoint.endpoint), relayed(endpoint.endpoint)] as const) : [];
  const feed = new AgentFeed({
    port,
    store: store.agents,
    directory,
    presence,
    fileUrl: deps.fileUrl,
    webhooks,
    handled: (endpoint, origin) => recorder.handled(endpoint, origin),
    history: store,
    hasWebhooks,
    logger,
    ...(broadcast ? { broadcast } : {}),
  });
  // What a killed process committed and did not enqueue is translated again (docs/agent-api.md#webhooks).
  const sweeper = new CursorSweeper({
    outbox: store.webhooks,
    hookedEndpoints,
    recover: (chatId, position) => feed.recover(chatId, position),
    run: (task) => feed.run(task),
    recovered: (chats, reason) => logger.info('webhook deliveries recovered past their cursor', { chats, reason }),
    // With other nodes, one may die for good: its chats stay behind, and another node finds them.
    ...(bus ? { periodMs: STUCK_SWEEP_MS } : {}),
  });
  const service = new AgentService({
    port,
    store: store.agents,
    directory,
    presence,
    feed,
    fileUrl: deps.fileUrl,
    routingChanged: () =>
      store.agents.countQueued().then(
        (count) => deps.metrics.chatsQueued.set(count),
        (error: unknown) => logger.error('counting queued chats failed', errorFields(error)),
      ),
  });
  const gateway = new AgentGateway({ directory, presence, service, logger }, deps.gateway);
  return {
    directory,
    presence,
    feed,
    service,
    gateway,
    dispatcher,
    start() {
      for (const [name, handler] of subscriptions) {
        bus?.subscribe(name, handler).catch((error: unknown) => logger.error('subscribing to agent pushes failed', errorFields(error)));
      }
      // Before anything else runs in the feed: see CursorSweeper.
      void sweeper.start();
      dispatcher.start();
      void service.recount();
    },
    async close(graceMs) {
      for (const [name, handler] of subscriptions) bus?.unsubscribe(name, handler);
      await gateway.close(graceMs);
      feed.close();
      sweeper.stop();
      // After the feed's last task: what it handled is stored, so the next start sweeps nothing.
      await feed.run(() => recorder.flush());
      await dispatcher.stop();
    },
  };
}
