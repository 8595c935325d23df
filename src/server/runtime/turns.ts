/**
 * Shares the event loop between background work and requests. SQLite answers synchronously, so
 * store calls resolve as microtasks: a backlog of inbox items (a broadcast to 10,000 chats)
 * would otherwise run to its end without the server reading one request. Background work calls
 * {@link TurnBudget.take} before each unit: a few units start per event loop turn, the others
 * wait for the next turn, after the pending I/O (incoming requests) has been served.
 *
 * The budget counts units, not milliseconds: waiters resume together in one microtask drain and
 * would all see the clock before any of them had worked.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export class TurnBudget {
  private started = 0;
  private next: Promise<void> | undefined;

  /** @param unitsPerTurn units that may start in one turn; default 4 */
  constructor(private readonly unitsPerTurn = 4) {}

  /** Resolves when the caller may start one unit of background work. */
  async take(): Promise<void> {
    while (this.started >= this.unitsPerTurn) await this.nextTurn();
    this.started += 1;
  }

  // One setImmediate shared by every waiter: they resume in the same fresh turn.
  private nextTurn(): Promise<void> {
    this.next ??= nextTurn().then(() => {
      this.next = undefined;
      this.started = 0;
    });
    return this.next;
  }
}
