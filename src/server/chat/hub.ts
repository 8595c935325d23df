/** Who is listening to which chat: the live fan-out of pushes to connections. */
import type { Push, StoredPush } from '../../protocol';

/** A connection bound to a chat. Both methods must not throw. */
export interface Subscriber {
  /** A stored push of the chat was appended. May arrive out of seq order; the subscriber orders. */
  deliver(push: StoredPush): void;
  /** An ephemeral push (typing indicator). */
  deliverEphemeral(push: Push): void;
  /** The chat was erased: let go of it (a websocket closes, so its widget starts a new chat). */
  erased?(): void;
}

/** In-memory subscriptions of this process; the store, not the hub, is the source of truth. */
export class Hub {
  private readonly chats = new Map<string, Set<Subscriber>>();

  subscribe(chatId: string, subscriber: Subscriber): void {
    let set = this.chats.get(chatId);
    if (!set) {
      set = new Set();
      this.chats.set(chatId, set);
    }
    set.add(subscriber);
  }

  unsubscribe(chatId: string, subscriber: Subscriber): void {
    const set = this.chats.get(chatId);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.chats.delete(chatId);
  }

  publish(chatId: string, push: StoredPush): void {
    for (const subscriber of this.snapshot(chatId)) subscriber.deliver(push);
  }

  publishEphemeral(chatId: string, push: Push): void {
    for (const subscriber of this.snapshot(chatId)) subscriber.deliverEphemeral(push);
  }

  /** Tells this process's subscribers of a chat that it was erased. */
  erased(chatId: string): void {
    for (const subscriber of this.snapshot(chatId)) subscriber.erased?.();
  }

  /** Number of subscribers of a chat. */
  count(chatId: string): number {
    return this.chats.get(chatId)?.size ?? 0;
  }

  // A copy, because delivering may close a slow connection, which unsubscribes it mid-loop.
  private snapshot(chatId: string): Subscriber[] {
    return [...(this.chats.get(chatId) ?? [])];
  }
}
