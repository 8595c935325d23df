import mitt, { type Emitter, type Handler } from 'mitt';
import type { Logger } from './types';

/**
 * A mitt emitter whose `emit` calls every handler inside its own try/catch: a throwing handler
 * is logged and neither stops the other handlers nor unwinds the client mid-update
 * (mitt issues #15 and #200 ask for this; mitt leaves it to the caller).
 */
export class SafeEmitter<Events extends Record<string, unknown>> {
  private readonly bus: Emitter<Events> = mitt<Events>();

  constructor(private readonly logger: Logger) {}

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    this.bus.on(type, handler);
    return () => this.bus.off(type, handler);
  }

  /** Unsubscribes `handler`; without one, every handler of `type`. */
  off<K extends keyof Events>(type: K, handler?: Handler<Events[K]>): void {
    this.bus.off(type, handler);
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    const handlers = this.bus.all.get(type) as Handler<Events[K]>[] | undefined;
    if (!handlers) return;
    // Copy: a handler may subscribe or unsubscribe while we iterate.
    for (const handler of handlers.slice()) {
      try {
        handler(event);
      } catch (error) {
        this.logger('error', `a '${String(type)}' handler threw`, error);
      }
    }
  }

  /** Drops every handler. */
  clear(): void {
    this.bus.all.clear();
  }
}
