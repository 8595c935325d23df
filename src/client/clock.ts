import type { Clock } from './types';

/**
 * The real clock: global timers, `Date.now` and `Math.random`.
 * Default for {@link ChatClientOptions.clock}; tests inject a manual one instead.
 */
export const systemClock: Clock = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
  now: () => Date.now(),
  random: () => Math.random(),
};
