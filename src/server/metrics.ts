/**
 * The server's Prometheus metrics, kept by prom-client (https://github.com/siimon/prom-client):
 * Roundel's own series in a registry per server (so tests read exact values), plus the default
 * process and Node.js metrics operators expect (`process_cpu_seconds_total`,
 * `nodejs_eventloop_lag_seconds`, heap, GC) collected once per process.
 *
 * Hot paths do not hand prom-client a label object per call (it would hash it each time): a label
 * set that is fixed at the call site is bound once ({@link Counter.bind}: the prom-client child,
 * kept by the caller, no lookup per call), and a metric with one label whose value varies (an
 * action, a kind) resolves the value with one Map lookup ({@link Counter.of}). Every label set
 * goes through one place, {@link Children}, which caps the series: label values come from small
 * fixed sets (route templates, results, kinds, actions), and a metric that still meets more than
 * {@link MAX_SERIES} label sets folds the rest into `other`, so the series stay bounded.
 */
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Labels = Record<string, string>;

/** Most label sets one metric keeps; later ones are counted under `other`. */
export const MAX_SERIES = 500;

/** A duration recorder with its labels already bound. */
export interface BoundObserver {
  observe(value: number): void;
}

/** Anything that records durations. */
export interface Observer {
  observe(value: number, labels?: Labels): void;
  /** The recorder for one label set, to keep (see {@link Histogram.bind}). */
  bind(labels: Labels): BoundObserver;
}

/** A count with its labels already bound. */
export interface BoundCounter {
  inc(by?: number): void;
}

/** Label sets → prom-client children, built once each; the one place the series are capped. */
class Children<C> {
  private readonly cache = new Map<string, C>();
  private overflow: C | undefined;

  constructor(
    private readonly labelNames: readonly string[],
    private readonly make: (labels: Labels) => C,
  ) {}

  get(labels: Labels | undefined): C {
    const names = this.labelNames;
    if (names.length === 1) return this.of(labels?.[names[0] ?? ''] ?? '');
    return this.child(names.map((n) => labels?.[n] ?? '').join('\u0000'), () => Object.fromEntries(names.map((n) => [n, labels?.[n] ?? ''])));
  }

  /** The child of a one-label metric for `value`, without a label object. */
  of(value: string): C {
    return this.child(value, () => ({ [this.labelNames[0] ?? '']: value }));
  }

  private child(key: string, labels: () => Labels): C {
    let child = this.cache.get(key);
    if (child !== undefined) return child;
    if (this.cache.size >= MAX_SERIES) {
      this.overflow ??= this.make(Object.fromEntries(this.labelNames.map((n) => [n, 'other'])));
      return this.overflow;
    }
    child = this.make(labels());
    this.cache.set(key, child);
    return child;
  }
}

interface MetricOptions {
  labelNames?: readonly string[];
  /** Label values whose series exist (at 0) from the start, so dashboards see them before the first event. */
  initial?: readonly Labels[];
}

/** A monotonically increasing count. */
export class Counter {
  private readonly children: Children<PromCounter.Internal>;

  constructor(registry: Registry, name: string, help: string, options: MetricOptions = {}) {
    const labelNames = options.labelNames ?? [];
    const metric = new PromCounter({ name, help, labelNames, registers: [registry] });
    this.children = new Children(labelNames, (labels) => metric.labels(labels));
    for (const labels of options.initial ?? (labelNames.length === 0 ? [{}] : [])) this.children.get(labels).inc(0);
  }

  inc(labels?: Labels, by = 1): void {
    this.children.get(labels).inc(by);
  }

  /** The counter of one label set, to keep at a call site whose labels never change. */
  bind(labels?: Labels): BoundCounter {
    return this.children.get(labels);
  }

  /** The counter for `value` of a one-label metric (one Map lookup, no label object). */
  of(value: string): BoundCounter {
    return this.children.of(value);
  }
}

/** A value that goes up and down. */
export class Gauge {
  private readonly children: Children<PromGauge.Internal<string>>;

  constructor(registry: Registry, name: string, help: string, options: MetricOptions = {}) {
    const labelNames = options.labelNames ?? [];
    const metric = new PromGauge({ name, help, labelNames, registers: [registry] });
    this.children = new Children(labelNames, (labels) => metric.labels(labels));
    for (const labels of options.initial ?? (labelNames.length === 0 ? [{}] : [])) this.children.get(labels).set(0);
  }

  set(value: number, labels?: Labels): void {
    this.children.get(labels).set(value);
  }

  inc(labels?: Labels, by = 1): void {
    this.children.get(labels).inc(by);
  }

  dec(labels?: Labels, by = 1): void {
    this.children.get(labels).dec(by);
  }
}

/** Upper bounds in seconds, from half a millisecond (a store call) to 10 s (a bot handler's limit). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Cumulative buckets plus `_sum` and `_count`: percentiles via histogram_quantile. */
export class Histogram implements Observer {
  private readonly children: Children<PromHistogram.Internal<string>>;

  constructor(registry: Registry, name: string, help: string, options: MetricOptions & { buckets?: readonly number[] } = {}) {
    const labelNames = options.labelNames ?? [];
    const metric = new PromHistogram({ name, help, labelNames, buckets: [...(options.buckets ?? LATENCY_BUCKETS)], registers: [registry] });
    this.children = new Children(labelNames, (labels) => metric.labels(labels));
  }

  observe(value: number, labels?: Labels): void {
    this.children.get(labels).observe(value);
  }

  bind(labels?: Labels): BoundObserver {
    return this.children.get(labels);
  }

  /** The recorder for `value` of a one-label metric (one Map lookup, no label object). */
  of(value: string): BoundObserver {
    return this.children.of(value);
  }
}

let processRegistry: Registry | undefined;

/**
 * The default process and Node.js metrics, one set per process: they describe the process, and
 * each collector installs event-loop and GC observers that a per-server copy would multiply.
 */
function defaultMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The server's metrics. One instance per server, so tests can read exact values. */
export class ServerMetrics {
  /** Roundel's own series (the default metrics live in a per-process registry). */
  readonly registry = new Registry();
  readonly connections = new Gauge(this.registry, 'roundel_connections_open', 'Open websocket connections.');
  readonly chatsCreated = new Counter(this.registry, 'roundel_chats_created_total', 'Chats created (a new visitor of an endpoint).');
  readonly threadsStarted = new Counter(
    this.registry,
    'roundel_threads_started_total',
    'Threads (conversations) started, the first of each chat included.',
  );
  readonly threadsClosed = new Counter(this.registry, 'roundel_threads_closed_total', 'Threads closed (a reset, or an agent closing it).');
  readonly resumes = new Counter(
    this.registry,
    'roundel_resumes_total',
    'Logins that resumed a chat, by result (recovered: from the last seq; rebuilt: from the whole retained log).',
    { labelNames: ['result'] },
  );
  readonly eventsIn = new Counter(this.registry, 'roundel_events_in_total', 'Inbound items stored, by kind.', { labelNames: ['kind'] });
  readonly eventsOut = new Counter(this.registry, 'roundel_events_out_total', 'Stored pushes appended, by action.', { labelNames: ['action'] });
  readonly pushesSent = new Counter(
    this.registry,
    'roundel_pushes_sent_total',
    'Pushes written to websockets (live and replayed), by action.',
    { labelNames: ['action'] },
  );
  readonly activations = new Counter(
    this.registry,
    'roundel_pushback_activations_total',
    'Pushback activations, by result (accepted, not_found, rate_limited, invalid).',
    { labelNames: ['result'] },
  );
  readonly externalEvents = new Counter(
    this.registry,
    'roundel_external_events_total',
    'External event requests, by result (accepted, invalid, unauthorized, forbidden, too_large, failed).',
    { labelNames: ['result'] },
  );
  readonly externalEventChats = new Counter(
    this.registry,
    'roundel_external_event_chats_total',
    'Chats an external event was stored for (the sum of "matched").',
  );
  readonly fanOutSeconds = new Histogram(
    this.registry,
    'roundel_external_event_fanout_seconds',
    'Time from an external event request to its 202 (every addressed chat stored).',
    { buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
  );
  readonly handlerErrors = new Counter(this.registry, 'roundel_handler_errors_total', 'Bot handler failures, by reason.', {
    labelNames: ['reason'],
  });
  readonly handlerSeconds = new Histogram(this.registry, 'roundel_handler_duration_seconds', 'Bot handler run time, by kind of inbox item.', {
    labelNames: ['kind'],
  });
  readonly storeSeconds = new Histogram(this.registry, 'roundel_store_latency_seconds', 'Store call latency, by operation.', {
    labelNames: ['op'],
  });
  readonly storeCommits = new Counter(
    this.registry,
    'roundel_store_commits_total',
    'Group commits of the store: one transaction (and one fsync) each, however many writes it holds.',
  );
  readonly httpRequests = new Counter(this.registry, 'roundel_http_requests_total', 'HTTP requests answered, by route template and status.', {
    labelNames: ['route', 'status'],
  });
  readonly httpSeconds = new Histogram(this.registry, 'roundel_http_request_duration_seconds', 'HTTP request duration, by route template.', {
    labelNames: ['route'],
  });

  constructor() {
    // Started with the server, so the event-loop and GC series cover its whole life.
    defaultMetrics();
  }

  readonly agentsOnline = new Gauge(this.registry, 'roundel_agents_online', 'Agents with a live agent connection to this node.');
  readonly chatsQueued = new Gauge(this.registry, 'roundel_chats_queued', 'Chats handed off by the bot and waiting for an agent.');
  readonly webhookDeliveries = new Counter(
    this.registry,
    'roundel_webhook_deliveries_total',
    'Webhook delivery attempts, by result (delivered, retry: failed and retried later, abandoned: given up after 24 h or unconfigured).',
    { labelNames: ['result'], initial: [{ result: 'delivered' }, { result: 'retry' }, { result: 'abandoned' }] },
  );

  readonly webhooksPending = new Gauge(
    this.registry,
    'roundel_webhook_outbox_pending',
    'Webhook deliveries in the outbox not yet delivered or given up (the whole outbox, shared by every node), read at each scrape.',
  );
  /** Where {@link webhooksPending} is read from at each scrape: the store's outbox. */
  pendingWebhooks: (() => Promise<number>) | undefined;

  /** Content type of {@link render}'s text. */
  readonly contentType = this.registry.contentType;

  /** The Prometheus text exposition: Roundel's series, then the process and Node.js ones. */
  async render(): Promise<string> {
    // A database that is away keeps the last value: /metrics still answers.
    if (this.pendingWebhooks) {
      const pending = await this.pendingWebhooks().catch(() => undefined);
      if (pending !== undefined) this.webhooksPending.set(pending);
    }
    const [own, process] = await Promise.all([this.registry.metrics(), defaultMetrics().metrics()]);
    return `${own}\n${process}`;
  }
}
