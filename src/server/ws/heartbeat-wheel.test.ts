import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_TICK_MS, HeartbeatWheel } from './heartbeat-wheel';

describe('HeartbeatWheel', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('visits every member once per period, a slice of them per tick', () => {
    const visits: number[][] = [];
    let tick: number[] = [];
    const wheel = new HeartbeatWheel<number>(1_000, (m) => tick.push(m));
    const slots = 1_000 / HEARTBEAT_TICK_MS;
    for (let m = 0; m < 1_000; m += 1) wheel.add(m);
    for (let t = 0; t < slots * 2; t += 1) {
      vi.advanceTimersByTime(HEARTBEAT_TICK_MS);
      visits.push(tick);
      tick = [];
    }
    // Never the whole set in one tick (what blocked the event loop): an even share each.
    for (const v of visits) expect(v.length).toBe(1_000 / slots);
    // Each member exactly once in each period.
    for (const period of [visits.slice(0, slots), visits.slice(slots)]) {
      expect(period.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    }
    wheel.stop();
  });

  it('forgets a removed member, keeps the others after a visit throws, and stops', () => {
    const seen: string[] = [];
    const wheel = new HeartbeatWheel<string>(50, (m) => {
      seen.push(m);
      if (m === 'bad') throw new Error('socket gone');
    });
    for (const m of ['a', 'bad', 'b', 'gone']) wheel.add(m);
    wheel.remove('gone');
    vi.advanceTimersByTime(50);
    expect(seen.sort()).toEqual(['a', 'b', 'bad']);
    wheel.stop();
    vi.advanceTimersByTime(500);
    expect(seen).toHaveLength(3);
  });

  it('a member removed during a visit (a dead peer closing) is not visited again', () => {
    const seen: number[] = [];
    const wheel = new HeartbeatWheel<number>(10, (m) => {
      seen.push(m);
      wheel.remove(m === 1 ? 2 : m);
    });
    wheel.add(1);
    wheel.add(2);
    vi.advanceTimersByTime(10);
    vi.advanceTimersByTime(10);
    expect(seen).not.toContain(2);
    expect(seen.filter((m) => m === 1)).toEqual([1, 1]);
    wheel.stop();
  });
});
