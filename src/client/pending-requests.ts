/**
 * Requests awaiting their response, keyed by `request_id`, each with a timeout. Settled exactly
 * once: by its response, by its timer, or by `failAll` when the socket goes.
 */
import type { ErrorBody, ErrorType, JsonObject } from '../protocol';
import type { Timers } from './timers';

/** A caller's promise, settled when the server answers what it asked for. */
export interface Waiter {
  resolve(): void;
  reject(error: ErrorBody): void;
}

export interface RequestHandlers {
  ok(payload: JsonObject): void;
  fail(error: ErrorBody): void;
}

/**
 * True when a request that failed with `error` may succeed if sent again with the same
 * `custom_id` (the server dedupes): it may not have been processed, or may succeed later. The
 * other types mean the request itself is refused.
 */
export const isRetryable = (error: ErrorBody): boolean => RETRYABLE.has(error.type);
const RETRYABLE: ReadonlySet<ErrorType> = new Set(['request_timeout', 'too_many_requests', 'internal', 'authentication']);

/** A response frame of either websocket (the same envelope). */
export type AnyResponse = { request_id: string } & ({ success: true; payload: unknown } | { success: false; error: ErrorBody });

export interface PendingRequests {
  /** A `request_id` unique for this client. */
  nextId(): string;
  /** Awaits the response to `id`; fails with `request_timeout` after the timeout. */
  track(id: string, action: string, handlers: RequestHandlers): void;
  /** Settles the request a response answers (the widget's or the agent console's). Returns false for an unknown (late or foreign) id. */
  settle(frame: AnyResponse): boolean;
  /** Fails every pending request with `error` (the socket that carried them is gone). */
  failAll(error: ErrorBody): void;
}

export function createPendingRequests(timers: Timers, timeoutMs: number): PendingRequests {
  let counter = 0;
  const pending = new Map<string, RequestHandlers>();
  /** Forgets `id`; its handlers when it was still pending. */
  const take = (id: string): RequestHandlers | undefined => {
    const handlers = pending.get(id);
    pending.delete(id);
    timers.clear(`r:${id}`);
    return handlers;
  };
  return {
    nextId: () => `r${++counter}`,
    track(id, action, handlers) {
      pending.set(id, handlers);
      timers.set(`r:${id}`, timeoutMs, () => take(id)?.fail({ type: 'request_timeout', message: `no answer to ${action} in ${timeoutMs} ms` }));
    },
    settle(frame) {
      const handlers = take(frame.request_id);
      if (frame.success) handlers?.ok(frame.payload as JsonObject);
      else handlers?.fail(frame.error);
      return handlers !== undefined;
    },
    failAll(error) {
      const all = [...pending];
      pending.clear();
      for (const [id] of all) timers.clear(`r:${id}`);
      for (const [, handlers] of all) handlers.fail(error);
    },
  };
}
