/**
 * Writes the webhook deliveries of agent pushes to the durable outbox, and moves each chat's
 * cursor (how far its committed history was handled) so that a start-up sweep translates again
 * what a killed process committed but never enqueued (docs/agent-api.md#webhooks). A cursor
 * moves in the next enqueue's transaction, whatever chat that is for, so the hot path pays no
 * transaction of its own for it; when nothing is enqueued for `flushMs`, one transaction moves
 * every cursor waiting, and {@link WebhookRecorder.close} moves the rest.
 */
import type { AgentPush } from '../../protocol';
import type { WebhookCursor, WebhookOutboxStore } from '../store/agents-types';
import { deliveriesFor, type PushOrigin, type WebhookSource } from './outbox';

export interface RecorderOptions {
  outbox: WebhookOutboxStore;
  /** The endpoint's organization and hooks, or undefined when it has no hooks. */
  source(endpoint: string): WebhookSource | undefined;
  /** Deliveries were enqueued (the dispatcher may look at once). */
  enqueued(): void;
  onError(error: unknown): void;
  /** How long a handled position may wait for an enqueue to carry it. Default 1000 ms. */
  flushMs?: number;
  now?: () => number;
}

export class WebhookRecorder {
  /** Chat → the furthest position handled and not yet stored. */
  private readonly waiting = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RecorderOptions) {}

  /** Enqueues the deliveries `push` makes (their ids derive from `origin`, when given). */
  async record(endpoint: string, push: AgentPush, origin?: PushOrigin): Promise<void> {
    const source = this.options.source(endpoint);
    if (!source) return;
    const now = this.now();
    const rows = deliveriesFor(source, push, new Date(now), origin);
    if (rows.length === 0) return;
    const cursors = this.take();
    try {
      await this.options.outbox.enqueue(rows, now, cursors);
    } catch (error) {
      this.putBack(cursors);
      throw error;
    }
    this.options.enqueued();
  }

  /**
   * Every delivery `origin` makes is enqueued (its translation finished): its chat's cursor may
   * move past it. Only chats of endpoints with hooks keep a cursor.
   */
  handled(endpoint: string, origin: PushOrigin): void {
    if (!this.options.source(endpoint)) return;
    this.putBack([{ chatId: origin.chatId, position: origin.position }]);
    this.timer ??= setTimeout(() => void this.flush().catch((error: unknown) => this.options.onError(error)), this.options.flushMs ?? 1000);
    this.timer.unref();
  }

  /** Stores every cursor waiting (one transaction, none when nothing waits). */
  async flush(): Promise<void> {
    const cursors = this.take();
    if (cursors.length === 0) return;
    try {
      await this.options.outbox.enqueue([], this.now(), cursors);
    } catch (error) {
      this.putBack(cursors);
      throw error;
    }
  }

  private take(): WebhookCursor[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const cursors = [...this.waiting].map(([chatId, position]) => ({ chatId, position }));
    this.waiting.clear();
    return cursors;
  }

  private putBack(cursors: readonly WebhookCursor[]): void {
    for (const { chatId, position } of cursors) this.waiting.set(chatId, Math.max(position, this.waiting.get(chatId) ?? -1));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
