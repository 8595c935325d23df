/**
 * Heartbeats spread over their period. Pinging every socket in one timer callback blocked the
 * event loop for the whole sweep: 57-71 ms for 1,000 sockets on the bench machine (a socket write
 * each), and their pongs then arrived together. Every request in flight waited for it, so the
 * pushgate's p99 at low rates failed a few times a minute. Here each member gets a slot when it is
 * added, and every tick visits one slot: each member is still visited once per period, and a tick
 * visits at most about `members / slots` of them (Centrifugo gets the same effect from a timer per
 * connection, started at connect time).
 */

/** Ticks per period are chosen so that a tick comes at most this often (fewer for short periods). */
export const HEARTBEAT_TICK_MS = 100;

export class HeartbeatWheel<T> {
  private readonly slots: Set<T>[];
  private readonly slotOf = new Map<T, number>();
  private readonly timer: NodeJS.Timeout;
  private cursor = 0;

  constructor(
    /** How often each member is visited. */
    periodMs: number,
    /** Called for each member of the slot whose turn it is (a throw skips nothing else). */
    private readonly visit: (member: T) => void,
  ) {
    const count = Math.max(1, Math.floor(periodMs / HEARTBEAT_TICK_MS));
    this.slots = Array.from({ length: count }, () => new Set<T>());
    this.timer = setInterval(() => this.tick(), periodMs / count);
    this.timer.unref();
  }

  /** Adds `member` to the least-filled slot (so slots stay even as members come and go). */
  add(member: T): void {
    if (this.slotOf.has(member)) return;
    let best = 0;
    // Scanning the slots is O(slots) per connection, a few hundred comparisons at most.
    for (let i = 1; i < this.slots.length; i += 1) if (this.slots[i]!.size < this.slots[best]!.size) best = i;
    this.slots[best]!.add(member);
    this.slotOf.set(member, best);
  }

  remove(member: T): void {
    const slot = this.slotOf.get(member);
    if (slot === undefined) return;
    this.slotOf.delete(member);
    this.slots[slot]!.delete(member);
  }

  /** Stops the ticks; members are not visited again. */
  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const slot = this.slots[this.cursor]!;
    this.cursor = (this.cursor + 1) % this.slots.length;
    // A copy: a visit may remove its member (a dead peer's close) or others, which are skipped.
    for (const member of [...slot]) {
      if (!slot.has(member)) continue;
      try {
        this.visit(member);
      } catch {
        // One member's failure must not stop the others' heartbeats.
      }
    }
  }
}
