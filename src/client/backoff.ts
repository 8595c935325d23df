/**
 * Full-jitter exponential backoff ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015):
 * a random delay in `[0, min(maxMs, minMs * 2^attempt))`, but never under `minMs / 2`, so a fleet of
 * widgets that lost the same server does not come back in lockstep, and none spins.
 *
 * With the defaults (500 ms, 20 000 ms) the ceiling grows 0.5 s, 1 s, 2 s, … up to 20 s.
 *
 * @param attempt retries already made since the last success (0 for the first retry)
 * @param random a number in [0, 1)
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  // Cap the exponent: 2 ** 1100 is Infinity, and min() would still work, but stay in safe integers.
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.max(minMs / 2, random() * ceiling);
}
