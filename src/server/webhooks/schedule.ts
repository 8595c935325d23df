/**
 * When to retry a webhook delivery: exponential backoff with full jitter from 1 s up to 15 min
 * between attempts, for 24 hours after the push (then the delivery is abandoned and the chat's
 * queue moves on).
 */

export interface RetrySchedule {
  /** First retry delay ceiling, ms. Default 1 000. */
  baseMs: number;
  /** Largest delay between attempts, ms. Default 15 min. */
  maxMs: number;
  /** How long after enqueueing retries go on, ms. Default 24 h. */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  baseMs: 1000,
  maxMs: 15 * 60 * 1000,
  giveUpAfterMs: 24 * 60 * 60 * 1000,
};

/**
 * The time of the next attempt after `failures` failed ones (1 after the first failure), or
 * `undefined` when the retry window of a delivery enqueued at `createdAt` is over.
 * Never less than half the ceiling, so retries back off even with an unlucky random draw.
 */
export function nextAttemptAt(
  schedule: RetrySchedule,
  createdAt: number,
  failures: number,
  now: number,
  random: () => number = Math.random,
): number | undefined {
  const ceiling = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  const at = now + ceiling / 2 + random() * (ceiling / 2);
  const deadline = createdAt + schedule.giveUpAfterMs;
  if (now >= deadline) return undefined;
  return Math.min(at, deadline);
}
