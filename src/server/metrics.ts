/**
 * A tiny Prometheus registry (counters, gauges, histograms, sum/count summaries) rendered in the
 * text exposition format: https://prometheus.io/docs/instrumenting/exposition_formats/
 * Label values must come from small fixed sets (route templates, results, kinds), never from
 * request data, so the number of series stays bounded.
 */
export type Labels = Record<string, string>;

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${escapeLabel(labels[key] ?? '')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

abstract class Metric {
  protected readonly values = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'summary' | 'histogram',
  ) {}

  /** The value for `labels` (0 when never set); the sum for summaries and histograms. */
  get(labels?: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  protected header(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
  }

  render(): string {
    const lines = this.header();
    for (const [key, value] of this.values) lines.push(`${this.name}${key} ${value}`);
    return lines.join('\n');
  }
}

/** A monotonically increasing count. */
export class Counter extends Metric {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels?: Labels, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }

  set(value: number, labels?: Labels): void {
    this.values.set(labelKey(labels), value);
  }

  inc(labels?: Labels, by = 1): void {
    this.set(this.get(labels) + by, labels);
  }

  dec(labels?: Labels, by = 1): void {
    this.set(this.get(labels) - by, labels);
  }
}

/** Anything that records durations: a {@link Histogram} or a {@link Summary}. */
export interface Observer {
  observe(value: number, labels?: Labels): void;
}

/** A summary without quantiles: `<name>_sum` and `<name>_count`, enough for averages and rates. */
export class Summary extends Metric implements Observer {
  private readonly counts = new Map<string, number>();

  constructor(name: string, help: string) {
    super(name, help, 'summary');
  }

  observe(value: number, labels?: Labels): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + value);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  count(labels?: Labels): number {
    return this.counts.get(labelKey(labels)) ?? 0;
  }

  override render(): string {
    const lines = this.header();
    for (const [key, sum] of this.values) {
      lines.push(`${this.name}_sum${key} ${sum}`, `${this.name}_count${key} ${this.counts.get(key) ?? 0}`);
    }
    return lines.join('\n');
  }
}

/** Upper bounds in seconds, from half a millisecond (a store call) to 10 s (a bot handler's limit). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Cumulative buckets plus `_sum` and `_count`: percentiles can be computed server-side (histogram_quantile). */
export class Histogram extends Metric implements Observer {
  private readonly series = new Map<string, { labels: Labels; buckets: number[]; count: number }>();

  constructor(
    name: string,
    help: string,
    readonly bounds: readonly number[] = LATENCY_BUCKETS,
  ) {
    super(name, help, 'histogram');
  }

  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, buckets: this.bounds.map(() => 0), count: 0 };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.bounds.length; i += 1) {
      if (value <= (this.bounds[i] ?? Infinity)) entry.buckets[i] = (entry.buckets[i] ?? 0) + 1;
    }
    entry.count += 1;
    this.values.set(key, (this.values.get(key) ?? 0) + value);
  }

  count(labels?: Labels): number {
    return this.series.get(labelKey(labels))?.count ?? 0;
  }

  override render(): string {
    const lines = this.header();
    for (const [key, entry] of this.series) {
      this.bounds.forEach((bound, i) => {
        lines.push(`${this.name}_bucket${labelKey({ ...entry.labels, le: String(bound) })} ${entry.buckets[i] ?? 0}`);
      });
      lines.push(
        `${this.name}_bucket${labelKey({ ...entry.labels, le: '+Inf' })} ${entry.count}`,
        `${this.name}_sum${key} ${this.values.get(key) ?? 0}`,
        `${this.name}_count${key} ${entry.count}`,
      );
    }
    return lines.join('\n');
  }
}

/** The server's metrics. One instance per server, so tests can read exact values. */
export class ServerMetrics {
  readonly connections = new Gauge('roundel_connections_open', 'Open websocket connections.');
  readonly chatsCreated = new Counter('roundel_chats_created_total', 'Chats created (a new visitor of an endpoint).');
  readonly threadsStarted = new Counter('roundel_threads_started_total', 'Threads (conversations) started, the first of each chat included.');
  readonly threadsClosed = new Counter('roundel_threads_closed_total', 'Threads closed (a reset, or an agent closing it).');
  readonly resumes = new Counter(
    'roundel_resumes_total',
    'Logins that resumed a chat, by result (recovered: from the last seq; rebuilt: from the whole retained log).',
  );
  readonly eventsIn = new Counter('roundel_events_in_total', 'Inbound items stored, by kind.');
  readonly eventsOut = new Counter('roundel_events_out_total', 'Stored pushes appended, by action.');
  readonly pushesSent = new Counter('roundel_pushes_sent_total', 'Pushes written to websockets (live and replayed), by action.');
  readonly activations = new Counter(
    'roundel_pushback_activations_total',
    'Pushback activations, by result (accepted, not_found, rate_limited, invalid).',
  );
  readonly externalEvents = new Counter(
    'roundel_external_events_total',
    'External event requests, by result (accepted, invalid, unauthorized, forbidden, too_large, failed).',
  );
  readonly externalEventChats = new Counter(
    'roundel_external_event_chats_total',
    'Chats an external event was stored for (the sum of "matched").',
  );
  readonly fanOutSeconds = new Histogram(
    'roundel_external_event_fanout_seconds',
    'Time from an external event request to its 202 (every addressed chat stored).',
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  readonly handlerErrors = new Counter('roundel_handler_errors_total', 'Bot handler failures, by reason.');
  readonly handlerSeconds = new Histogram('roundel_handler_duration_seconds', 'Bot handler run time, by kind of inbox item.');
  readonly storeSeconds = new Histogram('roundel_store_latency_seconds', 'Store call latency, by operation.');
  readonly httpRequests = new Counter('roundel_http_requests_total', 'HTTP requests answered, by route template and status.');
  readonly httpSeconds = new Histogram('roundel_http_request_duration_seconds', 'HTTP request duration, by route template.');
  readonly agentsOnline = new Gauge('roundel_agents_online', 'Agents with a live agent connection to this node.');
  readonly chatsQueued = new Gauge('roundel_chats_queued', 'Chats handed off by the bot and waiting for an agent.');
  readonly webhookDeliveries = new Counter(
    'roundel_webhook_deliveries_total',
    'Webhook delivery attempts, by result (delivered, retry: failed and retried later, abandoned: given up after 24 h or unconfigured).',
  );

  private readonly all: Metric[] = [
    this.connections,
    this.chatsCreated,
    this.threadsStarted,
    this.threadsClosed,
    this.resumes,
    this.eventsIn,
    this.eventsOut,
    this.pushesSent,
    this.activations,
    this.externalEvents,
    this.externalEventChats,
    this.fanOutSeconds,
    this.handlerErrors,
    this.handlerSeconds,
    this.storeSeconds,
    this.httpRequests,
    this.httpSeconds,
    this.agentsOnline,
    this.chatsQueued,
    this.webhookDeliveries,
  ];

  constructor() {
    // Unlabelled series start at 0 so that dashboards see them before the first event.
    this.connections.set(0);
    this.chatsCreated.inc(undefined, 0);
    this.threadsStarted.inc(undefined, 0);
    this.threadsClosed.inc(undefined, 0);
    this.externalEventChats.inc(undefined, 0);
    this.agentsOnline.set(0);
    this.chatsQueued.set(0);
    for (const result of ['delivered', 'retry', 'abandoned']) this.webhookDeliveries.inc({ result }, 0);
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    return `${this.all.map((metric) => metric.render()).join('\n')}\n`;
  }
}
