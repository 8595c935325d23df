import { afterEach, describe, expect, it, vi } from 'vitest';
import { Throttle, VisitTracker } from './visits';

afterEach(() => vi.useRealTimers());

describe('VisitTracker', () => {
  it('starts a visit with the first tab and ends it with the last, counting visits per chat', () => {
    const visits = new VisitTracker(() => new Date(0));
    expect(visits.connected('c')?.visitId).toBe(1);
    expect(visits.connected('c')).toBeUndefined();
    expect(visits.page('c', { url: 'https://a/', title: 'A', referrer: '' })?.page.url).toBe('https://a/');
    expect(visits.disconnected('c')).toBeUndefined();
    expect(visits.disconnected('c')).toMatchObject({ visitId: 1, present: false });
    expect(visits.page('c', { url: 'https://b/', title: 'B', referrer: '' })).toBeUndefined();
    expect(visits.connected('c')?.visitId).toBe(2);
    expect(visits.presentChats()).toEqual(['c']);
  });
});

describe('Throttle', () => {
  it('passes at most one value per interval per key, the latest one last', () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const throttle = new Throttle<string>(500, (key, value) => sent.push(`${key}:${value}`), () => Date.now());
    throttle.offer('a', '1');
    throttle.offer('a', '2');
    throttle.offer('a', '3');
    throttle.offer('b', 'x');
    expect(sent).toEqual(['a:1', 'b:x']);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual(['a:1', 'b:x', 'a:3']);
    throttle.offer('a', '4');
    throttle.cancel('a');
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual(['a:1', 'b:x', 'a:3']);
    throttle.clear();
  });
});
