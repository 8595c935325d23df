import { describe, expect, it } from 'vitest';
import { Counter, Histogram, ServerMetrics, Summary } from './metrics';

describe('metrics', () => {
  it('renders counters with escaped, sorted labels', () => {
    const counter = new Counter('x_total', 'Things.');
    counter.inc({ kind: 'a"b\\c\n', area: 'z' }, 2);
    counter.inc({ area: 'z', kind: 'a"b\\c\n' });
    expect(counter.render()).toBe('# HELP x_total Things.\n# TYPE x_total counter\nx_total{area="z",kind="a\\"b\\\\c\\n"} 3');
  });

  it('renders summaries as _sum and _count', () => {
    const summary = new Summary('d_seconds', 'Durations.');
    summary.observe(0.5);
    summary.observe(1.5);
    expect(summary.render()).toBe('# HELP d_seconds Durations.\n# TYPE d_seconds summary\nd_seconds_sum 2\nd_seconds_count 2');
  });

  it('renders histograms as cumulative buckets with +Inf, _sum and _count per label set', () => {
    const histogram = new Histogram('h_seconds', 'Latency.', [0.1, 1]);
    histogram.observe(0.05, { op: 'read' });
    histogram.observe(0.5, { op: 'read' });
    histogram.observe(5, { op: 'read' });
    histogram.observe(0.1, { op: 'write' });
    expect(histogram.count({ op: 'read' })).toBe(3);
    expect(histogram.get({ op: 'read' })).toBe(5.55);
    expect(histogram.render().split('\n')).toEqual([
      '# HELP h_seconds Latency.',
      '# TYPE h_seconds histogram',
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

  it('exposes every metric family the README lists', () => {
    const types = new ServerMetrics()
      .render()
      .split('\n')
      .filter((line) => line.startsWith('# TYPE'));
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
      '# TYPE roundel_http_requests_total counter',
      '# TYPE roundel_http_request_duration_seconds histogram',
      '# TYPE roundel_agents_online gauge',
      '# TYPE roundel_chats_queued gauge',
      '# TYPE roundel_webhook_deliveries_total counter',
    ]);
  });

  it('starts the unlabelled server series at zero', () => {
    const text = new ServerMetrics().render();
    expect(text).toContain('\nroundel_connections_open 0\n');
    expect(text).toContain('\nroundel_chats_created_total 0\n');
    expect(text).toContain('\nroundel_threads_closed_total 0\n');
    expect(text.endsWith('\n')).toBe(true);
  });
});
