/** Who is listening to which dialog: the live fan-out of pushes to connections. */
import type { Push, StoredPush } from '../../protocol';

/** A connection bound to a dialog. Both methods must not throw. */
export interface Subscriber {
  /** A stored push of the dialog was appended. May arrive out of seq order; the subscriber orders. */
  deliver(push: StoredPush): void;
  /** An ephemeral push (typing indicator). */
  deliverEphemeral(push: Push): void;
}

/** In-memory subscriptions of this process; the store, not the hub, is the source of truth. */
export class Hub {
  private readonly dialogs = new Map<string, Set<Subscriber>>();

  subscribe(dialogId: string, subscriber: Subscriber): void {
    let set = this.dialogs.get(dialogId);
    if (!set) {
      set = new Set();
      this.dialogs.set(dialogId, set);
    }
    set.add(subscriber);
  }

  unsubscribe(dialogId: string, subscriber: Subscriber): void {
    const set = this.dialogs.get(dialogId);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.dialogs.delete(dialogId);
  }

  publish(dialogId: string, push: StoredPush): void {
    for (const subscriber of this.snapshot(dialogId)) subscriber.deliver(push);
  }

  publishEphemeral(dialogId: string, push: Push): void {
    for (const subscriber of this.snapshot(dialogId)) subscriber.deliverEphemeral(push);
  }

  /** Number of subscribers of a dialog. */
  count(dialogId: string): number {
    return this.dialogs.get(dialogId)?.size ?? 0;
  }

  // A copy, because delivering may close a slow connection, which unsubscribes it mid-loop.
  private snapshot(dialogId: string): Subscriber[] {
    return [...(this.dialogs.get(dialogId) ?? [])];
  }
}
