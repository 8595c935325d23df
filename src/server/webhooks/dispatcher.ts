/**
 * Delivers the webhook outbox (docs/agent-api.md#webhooks): leases the due head of each
 * (hook, chat) queue, POSTs its stored body signed with the hook's current secret, and marks it
 * delivered on a 2xx, or schedules a retry with backoff until 24 hours have passed. At least
 * once: a node killed mid-POST leaves the lease to expire, and the row is delivered again.
 */
import type { WebhookOutboxStore, OutboxDelivery } from '../store/agents-types';
import { nextAttemptAt, type RetrySchedule } from './schedule';
import { SIGNATURE_HEADER, signBody } from './sign';

/** The outcome of one attempt, the label of the deliveries metric. */
export type DeliveryResult = 'delivered' | 'retry' | 'abandoned';

/** A configured hook, found again at delivery time (the secret is never stored). */
export interface HookTarget {
  url: string;
  secret: string;
}

export interface DispatcherOptions {
  outbox: WebhookOutboxStore;
  /** The hook a row was enqueued for, if it is still configured. */
  resolve(endpoint: string, url: string): HookTarget | undefined;
  /** This node's name: the owner of its leases. */
  owner: string;
  schedule: RetrySchedule;
  /** POST timeout, ms. Default 10 000. */
  timeoutMs?: number;
  /** How long a lease holds: longer than the timeout, so a live node finishes first, and short enough that another node takes over a killed one's rows within 15 s. Default 12 000. */
  leaseMs?: number;
  /** Rows leased per round. Default 32. */
  batch?: number;
  now?: () => number;
  random?: () => number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  onResult?(result: DeliveryResult, delivery: OutboxDelivery, detail: string): void;
  onError?(error: unknown): void;
}

/** Longest wait between two looks at the outbox: another node may have enqueued meanwhile. */
const MAX_IDLE_MS = 5000;

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private started = false;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {}

  /**
   * Starts delivering, pending rows from before a restart included: the leases this owner held in
   * a previous life (killed mid-POST) are freed first, so they go out now rather than when they expire.
   */
  start(): void {
    if (this.stopped || this.started) return;
    this.started = true;
    this.options.outbox.release(this.options.owner).then(
      () => this.poke(),
      (error: unknown) => {
        this.options.onError?.(error);
        this.poke();
      },
    );
  }

  /** Looks at the outbox now (something was enqueued). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.round();
  }

  /** Stops; attempts in flight finish (their outcome is recorded) or are left to their lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async round(): Promise<void> {
    this.running = true;
    const { outbox, owner } = this.options;
    try {
      do {
        this.again = false;
        const now = this.now();
        const rows = await outbox.claim(now, now + (this.options.leaseMs ?? 12_000), owner, this.options.batch ?? 32);
        // Heads of different queues go out together; one queue never has two rows in flight.
        await Promise.all(rows.map((row) => this.track(this.attempt(row))));
        if (rows.length > 0) this.again = true;
      } while (this.again && !this.stopped);
      await this.arm();
    } catch (error) {
      this.options.onError?.(error);
      if (!this.stopped) this.timer = setTimeout(() => this.poke(), 1000);
    } finally {
      this.running = false;
    }
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    const due = await this.options.outbox.nextDueAt();
    const wait = due === undefined ? MAX_IDLE_MS : Math.min(MAX_IDLE_MS, Math.max(0, due - this.now()));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poke(), wait);
    this.timer.unref();
  }

  private track(promise: Promise<void>): Promise<void> {
    this.inFlight.add(promise);
    return promise.finally(() => this.inFlight.delete(promise));
  }

  private async attempt(row: OutboxDelivery): Promise<void> {
    const { outbox, owner, schedule } = this.options;
    const target = this.options.resolve(row.endpoint, row.url);
    if (!target) {
      await outbox.abandon(row.id, owner, 'the webhook is no longer configured', this.now());
      return this.options.onResult?.('abandoned', row, 'not configured');
    }
    const failure = await this.post(row, target);
    const now = this.now();
    if (failure === undefined) {
      await outbox.delivered(row.id, owner, now);
      return this.options.onResult?.('delivered', row, 'ok');
    }
    const next = nextAttemptAt(schedule, row.createdAt, row.attempts + 1, now, this.options.random);
    if (next === undefined) {
      await outbox.abandon(row.id, owner, failure, now);
      return this.options.onResult?.('abandoned', row, failure);
    }
    await outbox.retry(row.id, owner, next, failure);
    this.options.onResult?.('retry', row, failure);
  }

  /** POSTs the row; undefined on a 2xx, else what went wrong. */
  private async post(row: OutboxDelivery, target: HookTarget): Promise<string | undefined> {
    const post = this.options.fetch ?? fetch;
    try {
      const response = await post(target.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Roundel-Webhooks',
          [SIGNATURE_HEADER]: signBody(target.secret, row.body),
        },
        body: row.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}
