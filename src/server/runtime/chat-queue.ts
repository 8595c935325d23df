/**
 * The items waiting for one chat's worker. The intake hands each stored item over in memory, so
 * the worker never reads back what the process already holds; after a restart, or when a turn
 * failed to store its result, the queue switches to reading the chat's pending items from the
 * store (the source of truth) until the store has none left, then goes back to memory. Item ids
 * grow per chat, so an item is never run twice by this process: one at or below the last finished
 * id is dropped, whichever way it came.
 */
export interface QueuedItem {
  id: number;
}

export class ChatQueue<I extends QueuedItem> {
  private items: I[] = [];
  private lastDone = 0;
  private fromStore = false;

  /** An item stored by the intake (in id order per chat). */
  push(item: I): void {
    if (item.id > this.lastDone) this.items.push(item);
  }

  /** Read pending items from the store next (start-up, or a turn whose result was not stored). */
  reload(): void {
    this.fromStore = true;
  }

  /** Whether anything may be waiting (a worker runs while this holds). */
  get waiting(): boolean {
    return this.fromStore || this.items.some((item) => item.id > this.lastDone);
  }

  /** The next item to run, or undefined; `readPending` returns the chat's oldest unfinished item in the store. */
  async next(readPending: () => Promise<I | undefined>): Promise<I | undefined> {
    if (this.fromStore) {
      const stored = await readPending();
      if (stored && stored.id > this.lastDone) return stored;
      this.fromStore = false;
    }
    this.items = this.items.filter((item) => item.id > this.lastDone);
    return this.items.shift();
  }

  /** `item` ran and its done mark is stored. */
  done(item: I): void {
    this.lastDone = Math.max(this.lastDone, item.id);
    this.items = this.items.filter((queued) => queued.id > this.lastDone);
  }
}
