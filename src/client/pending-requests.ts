/**
 * Requests awaiting their response, keyed by `request_id`, each with a timeout. Settled exactly
 * once: by its response, by its timer, or by {@link PendingRequests.failAll} when the socket goes.
 */
import type { ErrorBody, ErrorType, JsonObject, RequestAction, ResponseFrame } from '../protocol';
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
 * Failures worth retrying with the same `custom_id` (the server dedupes): the request may not
 * have been processed, or may succeed later. The others mean the request itself is refused.
 */
const RETRYABLE: ReadonlySet<ErrorType> = new Set<ErrorType>([
  'request_timeout',
  'too_many_requests',
  'internal',
  'authentication',
]);

/** True when a request that failed with `error` may succeed if sent again. */
export function isRetryable(error: ErrorBody): boolean {
  return RETRYABLE.has(error.type);
}

export class PendingRequests {
  private counter = 0;
  private readonly pending = new Map<string, { action: RequestAction; handlers: RequestHandlers }>();

  constructor(
    private readonly timers: Timers,
    private readonly timeoutMs: number,
  ) {}

  /** A `request_id` unique for this client. */
  nextId(): string {
    this.counter += 1;
    return `r${this.counter}`;
  }

  /** Awaits the response to `id`; fails with `request_timeout` after the timeout. */
  track(id: string, action: RequestAction, handlers: RequestHandlers): void {
    this.pending.set(id, { action, handlers });
    this.timers.set(`request:${id}`, this.timeoutMs, () => {
      if (!this.pending.delete(id)) return;
      handlers.fail({ type: 'request_timeout', message: `no response to ${action} within ${this.timeoutMs} ms` });
    });
  }

  /** Settles the request a response answers. Returns false for an unknown (late or foreign) id. */
  settle(frame: ResponseFrame): boolean {
    const entry = this.pending.get(frame.request_id);
    if (!entry) return false;
    this.pending.delete(frame.request_id);
    this.timers.clear(`request:${frame.request_id}`);
    if (frame.success) entry.handlers.ok(frame.payload as JsonObject);
    else entry.handlers.fail(frame.error);
    return true;
  }

  /** Fails every pending request with `error` (the socket that carried them is gone). */
  failAll(error: ErrorBody): void {
    const entries = [...this.pending];
    this.pending.clear();
    for (const [id] of entries) this.timers.clear(`request:${id}`);
    for (const [, entry] of entries) entry.handlers.fail(error);
  }

  get size(): number {
    return this.pending.size;
  }
}
