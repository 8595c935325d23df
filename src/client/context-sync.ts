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

export interface ContextSync {
  /** Replaces what waits to be sent; resolves when the server has it. */
  update(context: JsonObject): Promise<void>;
  /** Sends the waiting context, if any, unless one is in flight or a retry is scheduled. */
  flush(): void;
  /** The socket went: the next login flushes. */
  pause(): void;
  /** Rejects every waiting caller (the client is destroyed). */
  rejectAll(error: ErrorBody): void;
}

const RETRY_TIMER = 'contextRetry';

export function createContextSync({ timers, canSend, send, refused, retryDelay }: ContextSyncDeps): ContextSync {
  let pending: JsonObject | undefined;
  let waiters: Waiter[] = [];
  let inFlight = false;

  const flush = (): void => {
    if (inFlight || pending === undefined || timers.has(RETRY_TIMER) || !canSend()) return;
    const context = pending;
    const sent = waiters;
    pending = undefined;
    waiters = [];
    inFlight = true;
    send(context, {
      ok: () => {
        inFlight = false;
        for (const waiter of sent) waiter.resolve();
        flush();
      },
      fail: (error) => {
        inFlight = false;
        if (isRetryable(error)) {
          pending ??= context; // a newer context queued meanwhile wins
          waiters = [...sent, ...waiters];
          // Offline: the next login flushes. Online: retry after a jittered pause.
          if (canSend()) timers.set(RETRY_TIMER, retryDelay(), flush);
          return;
        }
        for (const waiter of sent) waiter.reject(error);
        refused(error);
        flush();
      },
    });
  };

  return {
    update: (context) =>
      new Promise((resolve, reject) => {
        pending = context;
        waiters.push({ resolve, reject });
        flush();
      }),
    flush,
    pause: () => timers.clear(RETRY_TIMER),
    rejectAll(error) {
      pending = undefined;
      for (const waiter of waiters.splice(0)) waiter.reject(error);
    },
  };
}
