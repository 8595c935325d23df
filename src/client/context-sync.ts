/**
 * `update_context` with offline semantics: the newest context waits until the client is logged
 * in, is sent once, and every caller that asked since the last send is settled by its answer.
 */
import type { ErrorBody, JsonObject } from '../protocol';
import { isRetryable, type RequestHandlers, type Waiter } from './pending-requests';
import type { Timers } from './timers';

export interface ContextSyncDeps {
  timers: Timers;
  /** True while requests may be sent. */
  canSend(): boolean;
  send(context: JsonObject, handlers: RequestHandlers): void;
  /** The server refused the context for good. */
  refused(error: ErrorBody): void;
  /** Delay before retrying a rate-limited or unanswered update while still connected. */
  retryDelay(): number;
}

const RETRY_TIMER = 'contextRetry';

export class ContextSync {
  private pending: JsonObject | undefined;
  private waiters: Waiter[] = [];
  private inFlight = false;

  constructor(private readonly deps: ContextSyncDeps) {}

  /** Replaces what waits to be sent; resolves when the server has it. */
  update(context: JsonObject): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending = context;
      this.waiters.push({ resolve, reject });
      this.flush();
    });
  }

  /** Sends the waiting context, if any, unless one is in flight or a retry is scheduled. */
  flush(): void {
    if (this.inFlight || this.pending === undefined || this.deps.timers.has(RETRY_TIMER) || !this.deps.canSend()) {
      return;
    }
    const context = this.pending;
    const waiters = this.waiters.splice(0);
    this.pending = undefined;
    this.inFlight = true;
    this.deps.send(context, {
      ok: () => {
        this.inFlight = false;
        for (const waiter of waiters) waiter.resolve();
        this.flush();
      },
      fail: (error) => {
        this.inFlight = false;
        if (isRetryable(error)) {
          this.pending ??= context; // a newer context queued meanwhile wins
          this.waiters.unshift(...waiters);
          // Offline: the next login flushes. Online: retry after a jittered pause.
          if (this.deps.canSend()) this.deps.timers.set(RETRY_TIMER, this.deps.retryDelay(), () => this.flush());
          return;
        }
        for (const waiter of waiters) waiter.reject(error);
        this.deps.refused(error);
        this.flush();
      },
    });
  }

  /** The socket went: the next login flushes. */
  pause(): void {
    this.deps.timers.clear(RETRY_TIMER);
  }

  /** Rejects every waiting caller (the client is destroyed). */
  rejectAll(error: ErrorBody): void {
    this.pending = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
