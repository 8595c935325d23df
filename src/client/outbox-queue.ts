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

const RETRY_TIMER = 'outboxRetry';

export class OutboxQueue {
  private queue: OutboxItem[];
  private inFlight: string | undefined;
  private attempt = 0;
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly deps: OutboxDeps,
    restored: readonly OutboxItem[],
  ) {
    this.queue = [...restored];
  }

  /** A snapshot of the waiting items, oldest first. */
  get items(): readonly OutboxItem[] {
    return Object.freeze([...this.queue]);
  }

  /** Queues `item`; `waiter` (page events) settles when the server accepts or refuses it. */
  add(item: OutboxItem, waiter?: Waiter): void {
    this.queue.push(item);
    if (waiter) this.waiters.set(item.customId, waiter);
    this.deps.changed(this.items);
    this.flush();
  }

  /** Sends the oldest item if nothing is in flight, no retry is waiting, and sending is allowed. */
  flush(): void {
    if (this.inFlight !== undefined || this.deps.timers.has(RETRY_TIMER) || !this.deps.canSend()) return;
    const item = this.queue[0];
    if (!item) return;
    this.inFlight = item.customId;
    this.deps.send(item, {
      ok: () => this.accepted(item),
      fail: (error) => this.failed(item, error),
    });
  }

  /** The socket went: whatever was in flight is resent after the next login. */
  pause(): void {
    this.deps.timers.clear(RETRY_TIMER);
  }

  /** Rejects every page-event promise (the client is destroyed); the items stay persisted for the next page. */
  rejectWaiters(error: ErrorBody): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  private accepted(item: OutboxItem): void {
    if (this.inFlight === item.customId) this.inFlight = undefined;
    this.attempt = 0;
    this.remove(item);
    this.waiters.get(item.customId)?.resolve();
    this.waiters.delete(item.customId);
    this.flush();
  }

  private failed(item: OutboxItem, error: ErrorBody): void {
    if (this.inFlight === item.customId) this.inFlight = undefined;
    if (isRetryable(error)) {
      // Offline: the next login flushes. Online (rate limit, slow server): wait a jittered while.
      if (!this.deps.canSend()) return;
      const delay = this.deps.retryDelay(this.attempt);
      this.attempt += 1;
      this.deps.timers.set(RETRY_TIMER, delay, () => this.flush());
      return;
    }
    this.remove(item);
    this.deps.refused(item, error);
    this.waiters.get(item.customId)?.reject(error);
    this.waiters.delete(item.customId);
    this.flush();
  }

  private remove(item: OutboxItem): void {
    const before = this.queue.length;
    this.queue = this.queue.filter((queued) => queued.customId !== item.customId);
    if (this.queue.length !== before) this.deps.changed(this.items);
  }
}
