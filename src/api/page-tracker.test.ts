// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { trackPage } from './page-tracker';

afterEach(() => vi.useRealTimers());

describe('trackPage (without the Navigation API)', () => {
  it('reports the page at start and after pushState, replaceState and popstate, and keeps the host\'s history working', () => {
    vi.useFakeTimers();
    const pushState = history.pushState;
    const replaceState = history.replaceState;
    const reports: string[] = [];
    const stop = trackPage(window, (page) => reports.push(`${new URL(page.url).pathname} ${page.title}`));
    vi.runAllTimers();
    const start = location.pathname;
    history.pushState({ step: 1 }, '', '/pricing');
    document.title = 'Pricing';
    vi.runAllTimers();
    expect(history.state).toEqual({ step: 1 });
    expect(location.pathname).toBe('/pricing');
    history.replaceState(null, '', '/pricing/pro');
    vi.runAllTimers();
    window.dispatchEvent(new PopStateEvent('popstate'));
    vi.runAllTimers();
    expect(reports[0]?.startsWith(start)).toBe(true);
    expect(reports.slice(1)).toEqual(['/pricing Pricing', '/pricing/pro Pricing']);
    stop();
    expect(history.pushState).toBe(pushState);
    expect(history.replaceState).toBe(replaceState);
    history.pushState(null, '', '/after');
    vi.runAllTimers();
    expect(reports).toHaveLength(3);
  });

  it('leaves a wrapper the page installed after ours in place', () => {
    const stop = trackPage(window, () => {});
    const pages = function (this: History, ...args: Parameters<History['pushState']>) {
      return History.prototype.pushState.apply(this, args);
    };
    history.pushState = pages;
    stop();
    expect(history.pushState).toBe(pages);
    history.pushState = History.prototype.pushState;
  });
});
