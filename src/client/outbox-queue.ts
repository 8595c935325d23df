/**
 * The offline outbox: visitor messages, postbacks and page events waiting for the server's "yes".
 * Sent one at a time, in order (stop-and-wait: item n+1 leaves only after n was accepted, so a
 * refused or rate-limited item can never be overtaken). Each keeps its `custom_id` across
 * retries, reconnects and reloads; the server dedupes by it, so a resend is always safe.
 */
import type { ErrorBody } from '../protocol';
import { isRetryable, type RequestHandlers, type Waiter } from './pending-requests';
import type { Timers } from './timers';
import type { OutboxItem } from './types';

export interface OutboxDeps {
  timers: Timers;
  /** True while items may be sent (logged in, no new chat starting). */
  canSend(): boolean;
  /** Sends the request for `item`; its response or failure comes back through `handlers`. */
  send(item: OutboxItem, handlers: RequestHandlers): void;
  /** The items changed: persist them and tell listeners. */
  changed(items: readonly OutboxItem[]): void;
  /** The server refused `item` for good; it has been removed. */
  refused(item: OutboxItem, error: ErrorBody): void;
  /** Delay before the `attempt`-th retry of a rate-limited or unanswered item. */
  retryDelay(attempt: number): number;
}

export interface OutboxQueue {
  /** A snapshot of the waiting items, oldest first. */
  readonly items: readonly OutboxItem[];
  /** Queues `item`; `waiter` (page events) settles when the server accepts or refuses it. */
  add(item: OutboxItem, waiter?: Waiter): void;
  /** Sends the oldest item if nothing is in flight, no retry is waiting, and sending is allowed. */
  flush(): void;
  /** The socket went: whatever was in flight is resent after the next login. */
  pause(): void;
  /** Rejects every page-event promise (the client is destroyed); the items stay persisted for the next page. */
  rejectWaiters(error: ErrorBody): void;
}

const RETRY_TIMER = 'outboxRetry';

export function createOutboxQueue(
  { timers, canSend, send, changed, refused, retryDelay }: OutboxDeps,
  restored: readonly OutboxItem[],
): OutboxQueue {
  let queue = [...restored];
  let inFlight: string | undefined;
  let attempt = 0;
  const waiters = new Map<string, Waiter>();
  const snapshot = () => Object.freeze([...queue]);

  /** Removes a settled `item` and lets the next one go. */
  const settle = (item: OutboxItem, error?: ErrorBody): void => {
    const { customId } = item;
    const before = queue.length;
    queue = queue.filter((queued) => queued.customId !== customId);
    if (queue.length !== before) changed(snapshot());
    if (error) refused(item, error);
    const waiter = waiters.get(customId);
    waiters.delete(customId);
    if (error) waiter?.reject(error);
    else waiter?.resolve();
    flush();
  };

  const flush = (): void => {
    const item = queue[0];
    if (inFlight !== undefined || timers.has(RETRY_TIMER) || !canSend() || !item) return;
    const { customId } = item;
    inFlight = customId;
    const done = () => {
      if (inFlight === customId) inFlight = undefined;
    };
    send(item, {
      ok: () => {
        done();
        attempt = 0;
        settle(item);
      },
      fail: (error) => {
        done();
        if (!isRetryable(error)) return settle(item, error);
        // Offline: the next login flushes. Online (rate limit, slow server): wait a jittered while.
        if (canSend()) timers.set(RETRY_TIMER, retryDelay(attempt++), flush);
      },
    });
  };

  return {
    get items() {
      return snapshot();
    },
    add(item, waiter) {
      queue.push(item);
      if (waiter) waiters.set(item.customId, waiter);
      changed(snapshot());
      flush();
    },
    flush,
    pause: () => timers.clear(RETRY_TIMER),
    rejectWaiters(error) {
      const all = [...waiters.values()];
      waiters.clear();
      for (const waiter of all) waiter.reject(error);
    },
  };
}
