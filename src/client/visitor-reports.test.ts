import { describe, expect, it } from 'vitest';
import { FakeClock } from './testing/fake-clock';
import { createTimers } from './timers';
import { createVisitorReports, SNEAK_PEEK_INTERVAL_MS } from './visitor-reports';

function setup(ready = true) {
  const clock = new FakeClock();
  const sent: [string, object][] = [];
  const state = { ready };
  const reports = createVisitorReports({ timers: createTimers(clock), canSend: () => state.ready, send: (action, payload) => sent.push([action, payload]) });
  return { clock, sent, reports, state };
}

describe('visitor reports', () => {
  it('sends at most two sneak peeks a second, the latest draft last', () => {
    const { clock, sent, reports } = setup();
    reports.draft('h');
    reports.draft('he');
    reports.draft('hel');
    expect(sent).toEqual([['send_sneak_peek', { sneak_peek_text: 'h' }]]);
    clock.advance(SNEAK_PEEK_INTERVAL_MS);
    expect(sent.at(-1)).toEqual(['send_sneak_peek', { sneak_peek_text: 'hel' }]);
    expect(sent).toHaveLength(2);
    clock.advance(SNEAK_PEEK_INTERVAL_MS * 4);
    expect(sent).toHaveLength(2);
  });

  it('sends a cleared draft at once', () => {
    const { sent, reports } = setup();
    reports.draft('hello');
    reports.draft('');
    expect(sent.map(([, p]) => p)).toEqual([{ sneak_peek_text: 'hello' }, { sneak_peek_text: '' }]);
  });

  it('sends nothing offline, and the page again after each login', () => {
    const { sent, reports, state } = setup(false);
    reports.draft('offline words');
    reports.page({ url: 'https://shop.example/a', title: 'A', referrer: '' });
    expect(sent).toEqual([]);
    state.ready = true;
    reports.loggedIn();
    reports.loggedIn();
    expect(sent).toEqual([
      ['update_customer_page', { url: 'https://shop.example/a', title: 'A', referrer: '' }],
      ['update_customer_page', { url: 'https://shop.example/a', title: 'A', referrer: '' }],
    ]);
  });
});
