/**
 * The visitor's presence as agents see it: a visit starts when the first tab of a chat connects
 * and ends when the last one goes (`customer_visit_started` / `customer_visit_ended`), with the
 * pages it opened (`customer_page_updated`). Kept in this process's memory: a restart starts new
 * visits, which is what the visitor's reconnecting tabs amount to.
 */
import type { VisitorPage } from '../../protocol';
import type { VisitView } from './views';

/** Pages kept per visit (LiveChat's `last_pages`). */
const PAGES_KEPT = 10;
/** Chats whose ended visit is remembered; the oldest are forgotten first. */
const ENDED_KEPT = 10_000;

interface Visit extends VisitView {
  tabs: number;
  pages: VisitorPage[];
}

export class VisitTracker {
  private readonly visits = new Map<string, Visit>();
  private readonly counters = new Map<string, number>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** A tab of `chatId` connected; the visit when this started one. */
  connected(chatId: string): Visit | undefined {
    const current = this.visits.get(chatId);
    if (current?.present) {
      current.tabs += 1;
      return undefined;
    }
    const visitId = (this.counters.get(chatId) ?? 0) + 1;
    this.counters.set(chatId, visitId);
    const visit: Visit = { visitId, startedAt: this.now().toISOString(), present: true, tabs: 1, pages: [] };
    // Re-inserted: the Map's order is the order of last activity.
    this.visits.delete(chatId);
    this.visits.set(chatId, visit);
    return visit;
  }

  /** A tab of `chatId` went; the visit when this ended it. */
  disconnected(chatId: string): Visit | undefined {
    const visit = this.visits.get(chatId);
    if (!visit?.present) return undefined;
    visit.tabs -= 1;
    if (visit.tabs > 0) return undefined;
    visit.present = false;
    visit.endedAt = this.now().toISOString();
    this.forgetOld();
    return visit;
  }

  /** The visitor opened `page` (a load or a single-page-app navigation); undefined without a visit. */
  page(chatId: string, page: Omit<VisitorPage, 'opened_at'>): { visit: Visit; page: VisitorPage } | undefined {
    const visit = this.visits.get(chatId);
    if (!visit?.present) return undefined;
    const opened: VisitorPage = { ...page, opened_at: this.now().toISOString() };
    visit.pages.push(opened);
    if (visit.pages.length > PAGES_KEPT) visit.pages.splice(0, visit.pages.length - PAGES_KEPT);
    return { visit, page: opened };
  }

  get(chatId: string): VisitView | undefined {
    return this.visits.get(chatId);
  }

  /** Chats with a tab open. */
  presentChats(): string[] {
    return [...this.visits].filter(([, visit]) => visit.present).map(([chatId]) => chatId);
  }

  private forgetOld(): void {
    let excess = this.visits.size - ENDED_KEPT;
    for (const [chatId, visit] of this.visits) {
      if (excess <= 0) break;
      if (visit.present) continue;
      this.visits.delete(chatId);
      this.counters.delete(chatId);
      excess -= 1;
    }
  }
}

/**
 * At most one call per `intervalMs` per key; the latest value offered meanwhile goes out when the
 * interval ends (so the last draft always arrives). Timers are unref'd and `clear`ed.
 */
export class Throttle<T> {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, { value: T; timer: NodeJS.Timeout }>();

  constructor(
    private readonly intervalMs: number,
    private readonly send: (key: string, value: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  offer(key: string, value: T): void {
    const waiting = this.pending.get(key);
    if (waiting) {
      waiting.value = value;
      return;
    }
    const wait = (this.last.get(key) ?? -Infinity) + this.intervalMs - this.now();
    if (wait <= 0) return this.fire(key, value);
    const timer = setTimeout(() => {
      const entry = this.pending.get(key);
      this.pending.delete(key);
      if (entry) this.fire(key, entry.value);
    }, wait);
    timer.unref();
    this.pending.set(key, { value, timer });
  }

  /** Drops what waits for `key` (the draft was sent as a message). */
  cancel(key: string): void {
    const waiting = this.pending.get(key);
    if (waiting) clearTimeout(waiting.timer);
    this.pending.delete(key);
  }

  clear(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.last.clear();
  }

  private fire(key: string, value: T): void {
    this.last.set(key, this.now());
    // Forget keys that have been quiet for a while, so the map does not grow with every chat ever seen.
    if (this.last.size > 10_000) for (const [k, at] of this.last) if (this.now() - at > this.intervalMs) this.last.delete(k);
    this.send(key, value);
  }
}
