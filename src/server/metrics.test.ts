import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, MAX_SERIES, ServerMetrics } from './metrics';

const lines = async (registry: Registry) => (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('metrics', () => {
  it('counts per label set, in the exposition format', async () => {
    const registry = new Registry();
    const counter = new Counter(registry, 'x_total', 'Things.', { labelNames: ['kind', 'area'] });
    counter.inc({ kind: 'a"b\\c\n', area: 'z' }, 2);
    counter.inc({ area: 'z', kind: 'a"b\\c\n' });
    counter.inc({ area: 'y', kind: 'k' });
    expect(await lines(registry)).toEqual(['x_total{kind="a\\"b\\\\c\\n",area="z"} 3', 'x_total{kind="k",area="y"} 1']);
  });

  it('starts unlabelled series and listed label sets at zero', async () => {
    const registry = new Registry();
    new Counter(registry, 'plain_total', 'Plain.');
    new Counter(registry, 'by_result_total', 'By result.', { labelNames: ['result'], initial: [{ result: 'ok' }] });
    new Gauge(registry, 'open', 'Open.');
    expect(await lines(registry)).toEqual(['plain_total 0', 'by_result_total{result="ok"} 0', 'open 0']);
  });

  it('renders histograms as cumulative buckets with +Inf, _sum and _count per label set', async () => {
    const registry = new Registry();
    const histogram = new Histogram(registry, 'h_seconds', 'Latency.', { labelNames: ['op'], buckets: [0.1, 1] });
    histogram.observe(0.05, { op: 'read' });
    histogram.observe(0.5, { op: 'read' });
    histogram.observe(5, { op: 'read' });
    histogram.observe(0.1, { op: 'write' });
    expect(await lines(registry)).toEqual([
      'h_seconds_bucket{le="0.1",op="read"} 1',
      'h_seconds_bucket{le="1",op="read"} 2',
      'h_seconds_bucket{le="+Inf",op="read"} 3',
      'h_seconds_sum{op="read"} 5.55',
      'h_seconds_count{op="read"} 3',
      'h_seconds_bucket{le="0.1",op="write"} 1',
      'h_seconds_bucket{le="1",op="write"} 1',
      'h_seconds_bucket{le="+Inf",op="write"} 1',
      'h_seconds_sum{op="write"} 0.1',
      'h_seconds_count{op="write"} 1',
    ]);
  });

  it('keeps the series bounded: label sets past the limit count under "other"', async () => {
    const registry = new Registry();
    const counter = new Counter(registry, 'routes_total', 'Routes.', { labelNames: ['route'] });
    for (let i = 0; i < MAX_SERIES + 50; i += 1) counter.inc({ route: `/r${i}` });
    const series = await lines(registry);
    expect(series).toHaveLength(MAX_SERIES + 1);
    expect(series.at(-1)).toBe('routes_total{route="other"} 50');
  });

  it('counts through bound and per-value children into the same series, capped the same way', async () => {
    const registry = new Registry();
    const counter = new Counter(registry, 'acts_total', 'Acts.', { labelNames: ['result'] });
    const accepted = counter.bind({ result: 'accepted' });
    accepted.inc();
    accepted.inc(2);
    counter.of('accepted').inc();
    counter.inc({ result: 'accepted' });
    counter.of('invalid').inc();
    const histogram = new Histogram(registry, 'op_seconds', 'Ops.', { labelNames: ['op'], buckets: [1] });
    histogram.bind({ op: 'append' }).observe(0.5);
    histogram.of('append').observe(2);
    expect(await lines(registry)).toEqual([
      'acts_total{result="accepted"} 5',
      'acts_total{result="invalid"} 1',
      'op_seconds_bucket{le="1",op="append"} 1',
      'op_seconds_bucket{le="+Inf",op="append"} 2',
      'op_seconds_sum{op="append"} 2.5',
      'op_seconds_count{op="append"} 2',
    ]);
    const routes = new Counter(new Registry(), 'r_total', 'R.', { labelNames: ['route'] });
    for (let i = 0; i < MAX_SERIES; i += 1) routes.of(`/r${i}`).inc();
    // Past the cap, of() and inc() both land in the one "other" series.
    expect(routes.of('/late')).toBe(routes.bind({ route: '/later' }));
  });

  it('gauges go up and down', async () => {
    const registry = new Registry();
    const gauge = new Gauge(registry, 'conns', 'Connections.');
    gauge.inc();
    gauge.inc();
    gauge.dec();
    expect(await lines(registry)).toEqual(['conns 1']);
  });

  it('exposes every metric family the docs list, then the default process and Node.js metrics', async () => {
    const text = await new ServerMetrics().render();
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE roundel_'));
    expect(types).toEqual([
      '# TYPE roundel_connections_open gauge',
      '# TYPE roundel_chats_created_total counter',
      '# TYPE roundel_threads_started_total counter',
      '# TYPE roundel_threads_closed_total counter',
      '# TYPE roundel_resumes_total counter',
      '# TYPE roundel_events_in_total counter',
      '# TYPE roundel_events_out_total counter',
      '# TYPE roundel_pushes_sent_total counter',
      '# TYPE roundel_pushback_activations_total counter',
      '# TYPE roundel_external_events_total counter',
      '# TYPE roundel_external_event_chats_total counter',
      '# TYPE roundel_external_event_fanout_seconds histogram',
      '# TYPE roundel_handler_errors_total counter',
      '# TYPE roundel_handler_duration_seconds histogram',
      '# TYPE roundel_store_latency_seconds histogram',
      '# TYPE roundel_store_commits_total counter',
      '# TYPE roundel_http_requests_total counter',
      '# TYPE roundel_http_request_duration_seconds histogram',
      '# TYPE roundel_agents_online gauge',
      '# TYPE roundel_chats_queued gauge',
      '# TYPE roundel_webhook_deliveries_total counter',
      '# TYPE roundel_webhook_outbox_pending gauge',
    ]);
    for (const family of [
      '# TYPE process_cpu_seconds_total counter',
      '# TYPE process_resident_memory_bytes gauge',
      '# TYPE nodejs_eventloop_lag_seconds gauge',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      '# TYPE nodejs_gc_duration_seconds histogram',
    ]) {
      expect(text).toContain(family);
    }
  });

  it('starts the unlabelled server series at zero, and each server counts on its own', async () => {
    const a = new ServerMetrics();
    const b = new ServerMetrics();
    a.chatsCreated.inc();
    const text = await b.render();
    expect(text).toContain('\nroundel_connections_open 0\n');
    expect(text).toContain('\nroundel_chats_created_total 0\n');
    expect(text).toContain('\nroundel_threads_closed_total 0\n');
    expect(await a.render()).toContain('\nroundel_chats_created_total 1\n');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('GET /metrics', () => {
  it('serves Roundel series and the default process and Node.js metrics in the Prometheus text format', async () => {
    const { startServer } = await import('./test/harness');
    const t = await startServer({});
    try {
      const res = await fetch(`${t.url}/metrics`);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      for (const series of ['roundel_connections_open 0', 'process_cpu_seconds_total ', 'nodejs_eventloop_lag_seconds ', 'nodejs_heap_size_used_bytes ']) {
        expect(text).toContain(`\n${series}`);
      }
      expect(text).toContain('nodejs_gc_duration_seconds');
    } finally {
      await t.close();
    }
  });
});
