/** The handler bookkeeping every bus shares: which handlers listen to which topic. */
import type { BusHandler } from './types';

export class TopicHandlers {
  private readonly topics = new Map<string, Set<BusHandler>>();

  /** Adds a handler; true when it is the topic's first (the broker must subscribe). */
  add(topic: string, handler: BusHandler): boolean {
    const set = this.topics.get(topic);
    if (set) {
      set.add(handler);
      return false;
    }
    this.topics.set(topic, new Set([handler]));
    return true;
  }

  /** Removes a handler; true when it was the topic's last (the broker may unsubscribe). */
  remove(topic: string, handler: BusHandler): boolean {
    const set = this.topics.get(topic);
    if (!set?.delete(handler) || set.size > 0) return false;
    this.topics.delete(topic);
    return true;
  }

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  /**
   * Calls every handler of `topic`. A throwing handler is reported to `onError` and does not keep
   * the others from running. A copy is iterated: a handler may unsubscribe.
   */
  dispatch(topic: string, message: unknown, onError: (error: unknown) => void): void {
    for (const handler of [...(this.topics.get(topic) ?? [])]) {
      try {
        handler(message);
      } catch (error) {
        onError(error);
      }
    }
  }

  clear(): void {
    this.topics.clear();
  }
}

/** The resync listeners, same guarded calling. */
export class Listeners {
  private readonly set = new Set<() => void>();

  add(listener: () => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(onError: (error: unknown) => void): void {
    for (const listener of [...this.set]) {
      try {
        listener();
      } catch (error) {
        onError(error);
      }
    }
  }
}
