/**
 * The bot runtime: one worker per chat with items to run. A worker takes the chat's items one at
 * a time in id order (handlers of one chat never overlap), while different chats run
 * concurrently up to a global limit. The intake hands each stored item over in memory
 * ({@link BotRuntime.submit}); after a restart, or when a turn's result could not be stored, the
 * worker reads the chat's pending items from the store instead (see chat-queue.ts), so whatever
 * was acknowledged before a crash is run after it.
 *
 * A turn's outputs and its done mark are writes of the group commit: a handler that finishes
 * within the event-loop turn it started in has its outputs, its state (when it changed) and its
 * done mark stored by one commit, and they become visible together.
 */
import type { ChatService, ItemSink } from '../chat/service';
import { multicastPush } from '../chat/pushes';
import type { EndpointRegistry } from '../endpoints';
import { errorFields, type Logger } from '../logger';
import type { ServerMetrics } from '../metrics';
import type { InboxItem, Store } from '../store/types';
import { ChatQueue } from './chat-queue';
import { createBotContext } from './context';
import { planItem } from './dispatch';
import type { PushbackService } from './pushbacks';
import { Slots, checkState, invoke, storedStateText } from './turn-parts';
import { TurnBudget } from './turns';
import type { HandoffPort } from './types';
import { TypingDelay } from './typing-delay';

export interface RuntimeDeps {
  store: Store;
  chats: ChatService;
  pushbacks: PushbackService;
  endpoints: EndpointRegistry;
  metrics: ServerMetrics;
  logger: Logger;
  /** The agent side: `ctx.handoff()`, and who answers the visitor. */
  handoff?: HandoffPort;
  /** The signed URL of a visitor file, for `onFile` (files/urls.ts). */
  fileUrl: (fileId: string) => string;
}

export interface RuntimeOptions {
  /** A handler running longer is abandoned (logged; its later ctx calls are ignored). */
  handlerTimeoutMs: number;
  /** Chats whose handlers may run at the same time. */
  concurrency: number;
  /** With several nodes, which chats run here (cluster/node.ts). Default: every chat. */
  placement?: Placement;
}

/** Several nodes: one node works on each chat, so that a chat's turns never overlap. */
export interface Placement {
  /** True when this node works on the chat now. */
  owns(chatId: string): boolean;
  /** The chat has new work and another node works on it: tell that node. */
  elsewhere(chatId: string): void;
}

interface Worker {
  queue: ChatQueue<InboxItem>;
  done: Promise<void>;
}

/** An item run before its write ran (see {@link BotRuntime.runEarly}). */
interface EarlyItem {
  item: InboxItem;
  answered: Promise<void>;
}

/** Schedules and runs bot handlers. */
export class BotRuntime implements ItemSink {
  private readonly workers = new Map<string, Worker>();
  /** Chats whose last turn was not stored: their next worker starts from the store. */
  private readonly reload = new Set<string>();
  private readonly slots: Slots;
  // Turns started per event-loop turn: they make up one group commit per loop turn; 32 keeps that
  // commit short enough for /healthz to answer within 100 ms during the bot turns of a fan-out to
  // 10,000 chats, and measured faster overall than 64 (docs/benchmarks.md).
  private readonly turns = new TurnBudget(32);
  private stopped = false;

  constructor(
    private readonly deps: RuntimeDeps,
    private readonly options: RuntimeOptions,
  ) {
    this.slots = new Slots(options.concurrency);
  }

  /** Runs a stored item (handed over by the intake; items of one chat arrive in id order). */
  submit(item: InboxItem): void {
    if (this.stopped) return;
    // With several nodes, items of one chat are stored through every node: only the store has them
    // all in id order, so the chat's worker (here or on the owner, woken) reads them from there.
    if (this.options.placement) return this.schedule(item.chatId);
    this.worker(item.chatId).queue.push(item);
  }

  /**
   * Runs an item whose write was requested but has not run yet (its id is 0 until it did), at
   * once, so that a handler finishing within the turn has its outputs and done mark in the item's
   * own commit (chat/service.ts, ingest). Only for a chat without a worker: a busy chat's items
   * run in id order behind the others, submitted once stored.
   */
  runEarly(item: InboxItem, answered: Promise<void>): boolean {
    // With several nodes the chat's turns run on its shard's owner, from the store (see submit).
    if (this.options.placement) return false;
    if (this.stopped || this.workers.has(item.chatId) || this.reload.has(item.chatId)) return false;
    this.worker(item.chatId, { item, answered });
    return true;
  }

  /** Makes sure the chat's pending items in the store get run. */
  schedule(chatId: string): void {
    if (this.stopped) return;
    const placement = this.options.placement;
    if (placement && !placement.owns(chatId)) return placement.elsewhere(chatId);
    this.worker(chatId).queue.reload();
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

  private worker(chatId: string, early?: EarlyItem): Worker {
    const running = this.workers.get(chatId);
    if (running) return running;
    const worker: Worker = { queue: new ChatQueue<InboxItem>(), done: Promise.resolve() };
    if (this.reload.delete(chatId)) worker.queue.reload();
    this.workers.set(chatId, worker);
    // Started on a microtask, so that the item pushed right after creating the worker is seen.
    worker.done = Promise.resolve().then(() => this.work(chatId, worker, early));
    return worker;
  }

  private async work(chatId: string, worker: Worker, early?: EarlyItem): Promise<void> {
    const { queue } = worker;
    const read = () => this.deps.store.nextPending(chatId);
    const retire = () => {
      if (this.workers.get(chatId) === worker) this.workers.delete(chatId);
    };
    try {
      // The early item first: it is not in the queue (its id was not known when it came).
      if (early && !(await this.turn(queue, early.item, early.answered))) return retire();
      while (!this.stopped) {
        // The shard may have moved while the previous item ran: leave the rest (stored) to its new
        // owner; should the shard come back, its pending items are read from the store again.
        if (this.options.placement && !this.options.placement.owns(chatId)) {
          this.reload.add(chatId);
          return retire();
        }
        const item = await queue.next(read);
        if (!item) {
          // Checked and retired in one synchronous step: an item submitted meanwhile is not lost.
          if (queue.waiting) continue;
          return retire();
        }
        if (!(await this.turn(queue, item))) break;
      }
      retire();
    } catch (error) {
      // A store failure: the item stays pending; the chat's next worker reads it from the store.
      // With several nodes, a refused commit means another node has taken the chat over.
      retire();
      this.reload.add(chatId);
      const movedAway = error instanceof Error && (error.name === 'FencedError' || error.name === 'NotOwnerError');
      if (movedAway) this.deps.logger.info('chat moved to another node; its item stays pending there', { chatId });
      else this.deps.logger.error('chat worker failed', { chatId, ...errorFields(error) });
    }
  }

  /** Runs one item in a slot and a share of the loop turn; false when the runtime stopped first. */
  private async turn(queue: ChatQueue<InboxItem>, item: InboxItem, answered?: Promise<void>): Promise<boolean> {
    await this.slots.acquire();
    try {
      // A backlog (a broadcast to thousands of chats) must leave the server time for requests.
      await this.turns.take();
      if (this.stopped) return false;
      await this.process(item, answered);
      queue.done(item);
      return true;
    } finally {
      this.slots.release();
    }
  }

  private async process(item: InboxItem, answered?: Promise<void>): Promise<void> {
    const { store, chats, endpoints, metrics, logger } = this.deps;
    // Read when the done mark's write runs: an early item's id is known only after its own write.
    const itemId = (): number => {
      if (item.id === 0) throw new Error('the item of this turn was not stored');
      return item.id;
    };
    const chat = await store.getChat(item.chatId);
    const endpoint = chat && endpoints.get(chat.endpoint);
    if (!chat || !endpoint) {
      logger.warn('inbox item without a chat or endpoint; dropped', { itemId: item.id, chatId: item.chatId });
      await store.finishItem(itemId, item.chatId, undefined);
      return;
    }
    let plan: ReturnType<typeof planItem>;
    try {
      plan = planItem(item.input, chat, endpoint.bot, this.deps.fileUrl);
    } catch (error) {
      // Only a hostile bot object (a throwing getter for a handler) gets here; retrying cannot help.
      logger.warn('reading the bot handler failed; item dropped', { itemId: item.id, chatId: chat.id, ...errorFields(error) });
      await store.finishItem(itemId, chat.id, undefined);
      return;
    }
    // Items stored before the fan-out stored the multicast itself still carry it (see api-events).
    if (plan.multicast) void chats.append(chat.id, multicastPush(chat.id, plan.multicast.type, plan.multicast.content), () => `${itemId()}:0`, answered);
    // While agents are in the chat the visitor talks to them, not to the bot (onEvent and onPageEvent still run).
    const visitor = item.input.kind === 'message' || item.input.kind === 'postback' || item.input.kind === 'file';
    const toAgents = visitor && this.deps.handoff !== undefined && !(await this.deps.handoff.botAnswers(chat.id));
    const call = toAgents ? undefined : plan.call;
    if (!call) {
      await store.finishItem(itemId, chat.id, undefined, plan.lastRequest);
      return;
    }
    const log = () => ({ chatId: chat.id, itemId: item.id, kind: item.kind, endpoint: endpoint.endpoint });
    const lastRequest = plan.lastRequest ?? chat.lastRequest;
    const typing = new TypingDelay((on) => chats.typing(chat.id, on));
    const handle = createBotContext({ ...this.deps, endpoint, chat, item, request: plan.request, lastRequest, typing: () => typing.now(), answered });
    typing.start();
    try {
      const started = process.hrtime.bigint();
      const outcome = await invoke(() => call(endpoint.bot, handle.ctx), this.options.handlerTimeoutMs);
      metrics.handlerSeconds.of(item.kind).observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (outcome.kind === 'threw') {
        metrics.handlerErrors.inc({ reason: 'threw' });
        logger.warn('bot handler threw', { ...log(), ...errorFields(outcome.error) });
      } else if (outcome.kind === 'timeout') {
        metrics.handlerErrors.inc({ reason: 'timeout' });
        logger.warn('bot handler timed out', { ...log(), timeoutMs: this.options.handlerTimeoutMs });
      }
      handle.seal();
      const checked = checkState(handle.ctx, storedStateText(chat.state));
      if (typeof checked === 'object' && 'unusable' in checked) {
        logger.warn('ctx.state is not a plain JSON object within the limits; not persisted', { ...log(), size: checked.unusable });
      }
      const state = typeof checked === 'object' && 'state' in checked ? checked.state : undefined;
      // Queued right behind the turn's outputs: the same commit when the handler ended in its turn.
      await store.finishItem(itemId, chat.id, state, plan.lastRequest, () => {
        if (handle.failed()) throw new Error('an output of this turn was not stored; the item runs again');
      });
    } finally {
      typing.stop();
    }
  }
}
