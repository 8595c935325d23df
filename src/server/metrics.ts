/**
 * A tiny Prometheus registry (counters, gauges, sum/count summaries) rendered in the text
 * exposition format: https://prometheus.io/docs/instrumenting/exposition_formats/
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
    readonly type: 'counter' | 'gauge' | 'summary',
  ) {}

  /** The value for `labels` (0 when never set). */
  get(labels?: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
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

/** A summary without quantiles: `<name>_sum` and `<name>_count`, enough for averages and rates. */
export class Summary extends Metric {
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
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} summary`];
    for (const [key, sum] of this.values) {
      lines.push(`${this.name}_sum${key} ${sum}`, `${this.name}_count${key} ${this.counts.get(key) ?? 0}`);
    }
    return lines.join('\n');
  }
}

/** The server's metrics. One instance per server, so tests can read exact values. */
export class ServerMetrics {
  readonly connections = new Gauge('roundel_connections_open', 'Open websocket connections.');
  readonly dialogsCreated = new Counter('roundel_dialogs_created_total', 'Dialogs created.');
  readonly eventsIn = new Counter('roundel_events_in_total', 'Inbound items stored, by kind.');
  readonly eventsOut = new Counter('roundel_events_out_total', 'Stored pushes appended, by action.');
  readonly activations = new Counter(
    'roundel_pushback_activations_total',
    'Pushback activations, by result (accepted, not_found, rate_limited, invalid).',
  );
  readonly handlerErrors = new Counter('roundel_handler_errors_total', 'Bot handler failures, by reason.');
  readonly handlerSeconds = new Summary('roundel_handler_duration_seconds', 'Bot handler run time.');
  readonly storeSeconds = new Summary('roundel_store_latency_seconds', 'Store call latency, by operation.');

  private readonly all: Metric[] = [
    this.connections,
    this.dialogsCreated,
    this.eventsIn,
    this.eventsOut,
    this.activations,
    this.handlerErrors,
    this.handlerSeconds,
    this.storeSeconds,
  ];

  constructor() {
    // Unlabelled series start at 0 so that dashboards see them before the first event.
    this.connections.set(0);
    this.dialogsCreated.inc(undefined, 0);
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    return `${this.all.map((metric) => metric.render()).join('\n')}\n`;
  }
}
