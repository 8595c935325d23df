/**
 * A manual clock for tests: time moves only in {@link FakeClock.advance}, which runs due timers
 * in (due time, creation) order, so every run is deterministic. `random()` is a seeded PRNG.
 */
import type { Clock } from '../types';

/** mulberry32: a tiny seeded PRNG with good enough spread for jitter and fuzzing. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scheduled {
  at: number;
  id: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly scheduled = new Map<number, Scheduled>();
  private readonly prng: () => number;
  /** Replaces the PRNG (e.g. `() => 0.999` to see backoff ceilings). */
  randomSource: (() => number) | undefined;

  constructor(seed = 1) {
    this.prng = seededRandom(seed);
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.scheduled.set(id, { at: this.time + Math.max(0, ms), id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.scheduled.delete(handle as number);
  }

  now(): number {
    return this.time;
  }

  random(): number {
    return (this.randomSource ?? this.prng)();
  }

  /** Moves time forward by `ms`, running every timer that falls due, timers set meanwhile included. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue();
      if (!next || next.at > end) break;
      this.scheduled.delete(next.id);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }

  /** Advances in small steps until `done()` holds; throws after `limitMs` so a test cannot hang. */
  advanceUntil(done: () => boolean, limitMs = 120_000, stepMs = 10): void {
    const end = this.time + limitMs;
    while (!done()) {
      if (this.time >= end) throw new Error(`condition not met within ${limitMs} ms`);
      this.advance(stepMs);
    }
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.scheduled.size;
  }

  private nextDue(): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const entry of this.scheduled.values()) {
      if (!best || entry.at < best.at || (entry.at === best.at && entry.id < best.id)) best = entry;
    }
    return best;
  }
}
