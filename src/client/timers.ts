import type { Clock } from './types';

/**
 * Named one-shot timers on an injected {@link Clock}. Setting a name replaces the timer it held,
 * and {@link Timers.clearAll} cancels every one, so no timer can outlive its owner
 * (centrifuge-js keeps every timer in a field for the same reason).
 */
export class Timers {
  private readonly handles = new Map<string, unknown>();

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` once after `ms`, replacing any timer already named `name`. */
  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    const handle = this.clock.setTimeout(() => {
      // Forget the handle first so `fn` may set the same name again (a loop of one-shot timers).
      if (this.handles.get(name) !== handle) return;
      this.handles.delete(name);
      fn();
    }, ms);
    this.handles.set(name, handle);
  }

  has(name: string): boolean {
    return this.handles.has(name);
  }

  clear(name: string): void {
    const handle = this.handles.get(name);
    if (handle === undefined) return;
    this.handles.delete(name);
    this.clock.clearTimeout(handle);
  }

  clearAll(): void {
    for (const handle of this.handles.values()) this.clock.clearTimeout(handle);
    this.handles.clear();
  }

  /** How many timers are pending. */
  get size(): number {
    return this.handles.size;
  }
}
