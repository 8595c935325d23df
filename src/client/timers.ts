import type { Clock } from './types';

/**
 * Named one-shot timers on an injected {@link Clock}. Setting a name replaces the timer it held,
 * and `clearAll` cancels every one, so no timer can outlive its owner (centrifuge-js keeps every
 * timer in a field for the same reason).
 */
export interface Timers {
  /** Runs `fn` once after `ms`, replacing any timer already named `name`. */
  set(name: string, ms: number, fn: () => void): void;
  has(name: string): boolean;
  clear(name: string): void;
  clearAll(): void;
  /** How many timers are pending. */
  readonly size: number;
}

export function createTimers(clock: Clock): Timers {
  const handles = new Map<string, unknown>();
  const clear = (name: string): void => {
    const handle = handles.get(name);
    if (handle === undefined) return;
    handles.delete(name);
    clock.clearTimeout(handle);
  };
  return {
    set(name, ms, fn) {
      clear(name);
      const handle = clock.setTimeout(() => {
        // Forget the handle first so `fn` may set the same name again (a loop of one-shot timers).
        if (handles.get(name) !== handle) return;
        handles.delete(name);
        fn();
      }, ms);
      handles.set(name, handle);
    },
    has: (name) => handles.has(name),
    clear,
    clearAll() {
      for (const handle of handles.values()) clock.clearTimeout(handle);
      handles.clear();
    },
    get size() {
      return handles.size;
    },
  };
}
