/**
 * Per-chat write order for the PostgreSQL engine. The SQLite engine's group commit stores a
 * caller's writes in the order they were requested (store/types.ts); the runtime relies on it: a
 * turn requests its outputs and then its done mark without waiting in between. PostgreSQL runs
 * each write in its own transaction on a pool of connections, which may commit them in any order,
 * so the writes of one chat on this node are chained: each starts once the previous one settled.
 * Across nodes the chat's row lock orders them (store.ts).
 */
export class ChatChain {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `write` after every write of `chatId` requested before it on this node has settled. */
  run<T>(chatId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(chatId);
    const result = previous ? previous.then(write) : write();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(chatId, tail);
    void tail.then(() => {
      if (this.tails.get(chatId) === tail) this.tails.delete(chatId);
    });
    return result;
  }

  /** Chats with a write in flight (tests). */
  get size(): number {
    return this.tails.size;
  }
}
