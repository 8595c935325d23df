/**
 * The agent side (docs/agent-api.md): the agent websocket, the service behind it, the feed of
 * agent pushes, and the webhook outbox's delivery worker, wired once per server.
 * @module server/agents
 */
import { parseAgentPush, type AgentPush } from '../../protocol';
import type { Bus } from '../bus';
import type { Logger } from '../logger';
import { errorFields } from '../logger';
import type { Store } from '../store/types';
import { WebhookDispatcher, type DeliveryResult } from '../webhooks/dispatcher';
import { deliveriesFor, type WebhookConfig } from '../webhooks/outbox';
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
  /** Default: 24 h of exponential backoff from 1 s. */
  retrySchedule?: RetrySchedule;
  /**
   * The bus between nodes: agent pushes made on this node reach the agents connected to the
   * others. Without one (a single node) they go to this node's agents directly.
   */
  bus?: Bus;
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
  const webhooks = async (endpoint: string, push: AgentPush): Promise<void> => {
    const target = endpointNamed(endpoint);
    if (!target || target.webhooks.length === 0) return;
    const rows = deliveriesFor({ organization: target.organization, endpoint, hooks: target.webhooks }, push, new Date());
    if (rows.length === 0) return;
    await store.webhooks.enqueue(rows, Date.now());
    dispatcher.poke();
  };
  const hasWebhooks = () => [...deps.endpoints()].some((endpoint) => endpoint.webhooks.length > 0);
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
  const feed = new AgentFeed({ port, store: store.agents, directory, presence, webhooks, hasWebhooks, logger, ...(broadcast ? { broadcast } : {}) });
  const service = new AgentService({
    port,
    store: store.agents,
    directory,
    presence,
    feed,
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
      dispatcher.start();
      void service.recount();
    },
    async close(graceMs) {
      for (const [name, handler] of subscriptions) bus?.unsubscribe(name, handler);
      await gateway.close(graceMs);
      feed.close();
      await dispatcher.stop();
    },
  };
}
