import { describe, expect, it } from 'vitest';
import { Counter, ServerMetrics, Summary } from './metrics';

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

  it('starts the unlabelled server series at zero', () => {
    const text = new ServerMetrics().render();
    expect(text).toContain('\nroundel_connections_open 0\n');
    expect(text).toContain('\nroundel_dialogs_created_total 0\n');
    expect(text.endsWith('\n')).toBe(true);
  });
});
