/**
 * An external event's fan-out: the intake of an event addressed to many chats. Chats are taken
 * in batches of {@link FANOUT_BATCH}; each batch is ONE write of the group commit (the
 * `incoming_multicast` push of an event sent to everyone, and an inbox item per chat when the bot
 * has `onEvent`, none otherwise), and its pushes are published right after it commits. The items
 * go to the runtime in memory once every batch is stored: bot turns interleaved with the batches
 * would delay the last chat's push by all the turns before it (measured: 1.2 s instead of 0.7 s
 * for 10,000 chats), and stored, they are safe to run after. The loop yields between batches
 * (each write's promise settles after its commit, which runs after the poll phase) and between
 * the chunks of items handed over: a broadcast to 100,000 chats must not stall the other requests
 * of the server.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { JsonObject } from '../../protocol';
import type { Endpoint } from '../endpoints';
import type { FanOutResult, InboxItem, Store } from '../store/types';
import type { ExternalEvent } from './inbound';
import { multicastPushes } from './pushes';

/**
 * Chats stored per write and items handed over per loop turn; the loop yields between batches.
 * One batch of 200 is a few milliseconds of work, up to ~40 on a loaded machine (/healthz stays
 * under 100 ms); 50 spent a tenth of the fan-out in BEGIN/COMMIT; 500 delivered the last of
 * 10,000 pushes sooner but blocked the loop for up to ~100 ms per batch on a loaded machine.
 */
export const FANOUT_BATCH = 200;

/** Who an external event is for: every chat of the endpoint, or the listed (already checked) chats. */
export type Audience = { everyone: true } | { everyone: false; chatIds: readonly string[] };

export interface FanOutDeps {
  store: Store;
  /** Publishes a stored push to the chat's connections. */
  publish(result: FanOutResult): void;
  /** Hands a stored item to the runtime. */
  submit(item: InboxItem): void;
  /** Counts the items stored (metrics). */
  counted(items: number): void;
}

/** Whether the bot has `onEvent` (a hostile getter counts as yes: the runtime copes with it). */
function hasOnEvent(endpoint: Endpoint): boolean {
  try {
    return typeof endpoint.bot.onEvent === 'function';
  } catch {
    return true;
  }
}

/** Stores `event` for the audience; resolves with the number of chats reached once all are stored. */
export async function fanOut(deps: FanOutDeps, endpoint: Endpoint, audience: Audience, event: string, data: JsonObject): Promise<number> {
  const { store } = deps;
  // The fan-out stores the multicast itself, so the item does not ask the runtime to.
  const input: ExternalEvent = { kind: 'external', event, data, multicast: false };
  const inbox = hasOnEvent(endpoint);
  const options = { inbox, ...(audience.everyone ? { multicast: multicastPushes(event, data) } : {}) };
  // Nothing to store for a listed audience whose bot has no onEvent: the chats are still matched.
  if (!inbox && !audience.everyone) return audience.chatIds.length;

  let matched = 0;
  const items: InboxItem[] = [];
  const batch = async (ids: readonly string[]) => {
    if (ids.length === 0) return;
    const stored = await store.fanOut(ids, input, options);
    matched += stored.length;
    for (const result of stored) {
      deps.publish(result);
      if (result.item) items.push(result.item);
    }
    deps.counted(stored.filter((r) => r.item).length);
  };
  try {
    await storeAll(store, endpoint, audience, batch);
  } finally {
    // What was stored runs, even when a later batch failed; the caller is answered meanwhile.
    void handOver(items, deps.submit);
  }
  return matched;
}

/** Runs `batch` over the audience, FANOUT_BATCH chats at a time. */
async function storeAll(store: Store, endpoint: Endpoint, audience: Audience, batch: (ids: readonly string[]) => Promise<void>): Promise<void> {
  // Two batches in flight: the next one is read and queued while the previous one commits, so the
  // commit's fsync never leaves the loop idle; each still commits (and publishes) on its own, in order.
  const window = new BatchWindow(2);
  try {
    if (audience.everyone) {
      for (let after = ''; ; ) {
        const ids = await store.chatIds(endpoint.endpoint, after, FANOUT_BATCH);
        await window.add(batch(ids));
        if (ids.length < FANOUT_BATCH) break;
        after = ids[ids.length - 1] ?? '';
      }
    } else {
      for (let i = 0; i < audience.chatIds.length; i += FANOUT_BATCH) await window.add(batch(audience.chatIds.slice(i, i + FANOUT_BATCH)));
    }
  } finally {
    // After a failure too: the batch still in flight has its items collected before the hand-over.
    await window.drain();
  }
}

/** Hands the items over FANOUT_BATCH per loop turn: each starts a chat's worker. */
async function handOver(items: readonly InboxItem[], submit: (item: InboxItem) => void): Promise<void> {
  for (let i = 0; i < items.length; i += FANOUT_BATCH) {
    if (i > 0) await nextTurn();
    for (const item of items.slice(i, i + FANOUT_BATCH)) submit(item);
  }
}

/** At most `size` promises outstanding; the first failure is thrown (the others are still awaited). */
class BatchWindow {
  private readonly pending: Array<Promise<void>> = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly size: number) {}

  /** Adds `work`; waits while the window is full. Throws the first failure seen. */
  async add(work: Promise<void>): Promise<void> {
    this.pending.push(
      work.catch((error: unknown) => {
        this.failure ??= { error };
      }),
    );
    if (this.pending.length >= this.size) await this.pending.shift();
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every outstanding promise; throws the first failure seen. */
  async drain(): Promise<void> {
    await Promise.all(this.pending.splice(0));
    if (this.failure) throw this.failure.error;
  }
}
