/**
 * The bot runtime: one worker per chat with pending inbox items. A worker takes the chat's
 * items one at a time in id order (handlers of one chat never overlap), while different
 * chats run concurrently up to a global limit. Items are read from the store, never from
 * memory, so whatever was acknowledged before a crash is processed after the restart.
 */
import { Limits, isObject, jsonDepth, type JsonObject } from '../../protocol';
import type { ChatService } from '../chat/service';
import { multicastPush } from '../chat/pushes';
import type { EndpointRegistry } from '../endpoints';
import { errorFields, type Logger } from '../logger';
import type { ServerMetrics } from '../metrics';
import type { InboxItem, Store } from '../store/types';
import type { HandoffPort } from './types';
import { createBotContext } from './context';
import { planItem } from './dispatch';
import { TurnBudget } from './turns';
import type { PushbackService } from './pushbacks';

export interface RuntimeDeps {
  store: Store;
  chats: ChatService;
  pushbacks: PushbackService;
  endpoints: EndpointRegistry;
  metrics: ServerMetrics;
  logger: Logger;
  /** The agent side: `ctx.handoff()`, and who answers the visitor. */
  handoff?: HandoffPort;
}

export interface RuntimeOptions {
  /** A handler running longer is abandoned (logged; its later ctx calls are ignored). */
  handlerTimeoutMs: number;
  /** Chats whose handlers may run at the same time. */
  concurrency: number;
}

/** Largest `ctx.state`, as serialised JSON characters; a larger one is not persisted. */
const MAX_STATE_CHARS = 64 * 1024;

type Outcome = { kind: 'ok' } | { kind: 'threw'; error: unknown } | { kind: 'timeout' };

/** Counts concurrent work; `acquire` waits for a free slot. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** Schedules and runs bot handlers from the inbox. */
export class BotRuntime {
  /** Chats with a running worker; `again` is set when work arrived while it was looking. */
  private readonly workers = new Map<string, { again: boolean; done: Promise<void> }>();
  private readonly slots: Slots;
  private readonly turns = new TurnBudget();
  private stopped = false;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly options: RuntimeOptions,
  ) {
    this.slots = new Slots(options.concurrency);
  }

  /** Makes sure the chat's pending items get processed. Cheap to call often. */
  schedule(chatId: string): void {
    if (this.stopped) return;
    const running = this.workers.get(chatId);
    if (running) {
      running.again = true;
      return;
    }
    const worker = { again: false, done: Promise.resolve() };
    this.workers.set(chatId, worker);
    worker.done = this.work(chatId, worker).finally(() => this.workers.delete(chatId));
  }

  /** Schedules every chat with unprocessed items (after a restart). Returns how many. */
  async recover(): Promise<number> {
    const ids = await this.deps.store.pendingChatIds();
    for (const id of ids) this.schedule(id);
    return ids.length;
  }

  /** Resolves when no worker runs (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.workers.size > 0) await Promise.allSettled([...this.workers.values()].map((w) => w.done));
  }

  /** Starts no new item; waits up to `deadlineMs` for running handlers. Unfinished items stay pending. */
  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([this.idle(), deadline]);
    clearTimeout(timer);
  }

  private async work(chatId: string, worker: { again: boolean }): Promise<void> {
    try {
      while (!this.stopped) {
        worker.again = false;
        const item = await this.deps.store.nextPending(chatId);
        if (!item) {
          if (worker.again) continue;
          return;
        }
        await this.slots.acquire();
        try {
          // A backlog (a broadcast to thousands of chats) must leave the server time for requests.
          await this.turns.take();
          if (!this.stopped) await this.process(item);
        } finally {
          this.slots.release();
        }
      }
    } catch (error) {
      // A store failure: the item stays pending and is retried on the next schedule or restart.
      this.deps.logger.error('chat worker failed', { chatId, ...errorFields(error) });
    }
  }

  private async process(item: InboxItem): Promise<void> {
    const { store, chats, endpoints, metrics, logger } = this.deps;
    const chat = await store.getChat(item.chatId);
    const endpoint = chat && endpoints.get(chat.endpoint);
    if (!chat || !endpoint) {
      logger.warn('inbox item without a chat or endpoint; dropped', { itemId: item.id, chatId: item.chatId });
      await store.finishItem(item.id, item.chatId, undefined);
      return;
    }
    let plan: ReturnType<typeof planItem>;
    try {
      plan = planItem(item, chat, endpoint.bot);
    } catch (error) {
      // Only a hostile bot object (a throwing getter for a handler) gets here; retrying cannot help.
      logger.warn('reading the bot handler failed; item dropped', { itemId: item.id, chatId: chat.id, ...errorFields(error) });
      await store.finishItem(item.id, chat.id, undefined);
      return;
    }
    if (plan.multicast) {
      await chats.append(chat.id, multicastPush(chat.id, plan.multicast.type, plan.multicast.content), `${item.id}:0`);
    }
    // While agents are in the chat the visitor talks to them, not to the bot (onEvent and onPageEvent still run).
    const toAgents = (item.kind === 'message' || item.kind === 'postback') && this.deps.handoff !== undefined && !(await this.deps.handoff.botAnswers(chat.id));
    const call = toAgents ? undefined : plan.call;
    if (!call) {
      await store.finishItem(item.id, chat.id, undefined, plan.lastRequest);
      return;
    }
    const log = { chatId: chat.id, itemId: item.id, kind: item.kind, endpoint: endpoint.endpoint };
    const lastRequest = plan.lastRequest ?? chat.lastRequest;
    const handle = createBotContext({ ...this.deps, endpoint, chat, item, request: plan.request, lastRequest });
    chats.typing(chat.id, true);
    try {
      const started = process.hrtime.bigint();
      const outcome = await this.invoke(() => call(endpoint.bot, handle.ctx));
      metrics.handlerSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9, { kind: item.kind });
      if (outcome.kind === 'threw') {
        metrics.handlerErrors.inc({ reason: 'threw' });
        logger.warn('bot handler threw', { ...log, ...errorFields(outcome.error) });
      } else if (outcome.kind === 'timeout') {
        metrics.handlerErrors.inc({ reason: 'timeout' });
        logger.warn('bot handler timed out', { ...log, timeoutMs: this.options.handlerTimeoutMs });
      }
      await handle.seal();
      await store.finishItem(item.id, chat.id, this.checkState(handle.ctx, log), plan.lastRequest);
    } finally {
      chats.typing(chat.id, false);
    }
  }

  private async invoke(run: () => unknown): Promise<Outcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), this.options.handlerTimeoutMs);
    });
    try {
      // Promise.resolve adopts a returned thenable; garbage return values are simply ignored.
      const finished = Promise.resolve(run()).then(
        (): Outcome => ({ kind: 'ok' }),
        (error: unknown): Outcome => ({ kind: 'threw', error }),
      );
      return await Promise.race([finished, timeout]);
    } catch (error) {
      return { kind: 'threw', error };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The state to persist, as a fresh JSON copy (so what is stored is exactly what was checked,
   * whatever getters or toJSON the bot left), or undefined (keep the stored one) when the bot
   * left something unusable. Never throws: `ctx.state` may even be a revoked Proxy or a getter.
   */
  private checkState(ctx: { state: unknown }, log: Record<string, unknown>): JsonObject | undefined {
    let copy: unknown;
    let size = 0;
    try {
      const state = ctx.state;
      const text = isObject(state) ? JSON.stringify(state) : undefined;
      size = text?.length ?? 0;
      copy = text === undefined || size > MAX_STATE_CHARS || jsonDepth(text) > Limits.jsonDepth ? undefined : JSON.parse(text);
    } catch {
      copy = undefined;
    }
    if (isObject(copy)) return copy;
    this.deps.logger.warn('ctx.state is not a plain JSON object within the limits; not persisted', { ...log, size });
    return undefined;
  }
}
