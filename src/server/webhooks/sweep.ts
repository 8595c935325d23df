/**
 * The webhook cursor sweeps (docs/agent-api.md#webhooks): find the chats whose committed history
 * goes past their cursor (a process was killed between a push's commit and its enqueue) and
 * have the agent feed translate that history again, for the webhooks only.
 *
 * - At start-up, every chat behind is recovered: this node's previous life, if it died, is the
 *   reason. It runs as the feed's first task, so a chat's live pushes are translated after it.
 * - In a cluster, a node that died may not come back: every `periodMs` each node also recovers
 *   the chats found behind at the same cursor in two sweeps in a row. A live node moves a
 *   chat's cursor within about a second of its translation, so a chat that stays put is stuck.
 */
import type { WebhookOutboxStore } from '../store/agents-types';

/**
 * A chat with no webhook cursor is swept when it was created at most this long before the newest
 * cursor change (then it is new, not a chat of an endpoint that had no hooks).
 */
export const NEW_CHAT_MS = 60_000;

export interface SweepOptions {
  outbox: WebhookOutboxStore;
  /** The endpoints that have hooks now. */
  hookedEndpoints(): string[];
  /** Translates what `chatId` committed past `position` again (AgentFeed.recover). */
  recover(chatId: string, position: number): Promise<void>;
  /** Runs a task in the feed's order (AgentFeed.run). */
  run(task: () => Promise<void>): Promise<void>;
  /** Told how many chats a sweep recovered, when any. */
  recovered(chats: number, reason: 'start' | 'stuck'): void;
  /** Period of the stuck sweep; undefined: none (a single node). */
  periodMs?: number;
}

export class CursorSweeper {
  private timer: NodeJS.Timeout | undefined;
  /** The chats behind at the last stuck sweep, with their cursor then. */
  private lastSeen = new Map<string, number>();

  constructor(private readonly options: SweepOptions) {}

  /** The start-up sweep; then, when periodic, the stuck sweeps. */
  start(): Promise<void> {
    const { periodMs } = this.options;
    if (periodMs !== undefined) {
      this.timer = setInterval(() => void this.stuck(), periodMs);
      this.timer.unref();
    }
    return this.sweep('start', () => true);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One stuck sweep (public for tests; the timer runs it every `periodMs`). */
  async stuck(): Promise<void> {
    const before = this.lastSeen;
    const seen = new Map<string, number>();
    await this.sweep('stuck', (chatId, position) => {
      seen.set(chatId, position);
      return before.get(chatId) === position;
    });
    this.lastSeen = seen;
  }

  private sweep(reason: 'start' | 'stuck', pick: (chatId: string, position: number) => boolean): Promise<void> {
    return this.options.run(async () => {
      const endpoints = this.options.hookedEndpoints();
      if (endpoints.length === 0) return;
      const behind = (await this.options.outbox.behind(endpoints, NEW_CHAT_MS)).filter(({ chatId, position }) => pick(chatId, position));
      for (const { chatId, position } of behind) await this.options.recover(chatId, position);
      if (behind.length > 0) this.options.recovered(behind.length, reason);
    });
  }
}
