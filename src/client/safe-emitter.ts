import mitt, { type Emitter, type EventType, type Handler } from 'mitt';
import type { Logger } from './types';

/**
 * mitt's typed event bus with a safe `emit`: every handler runs inside its own try/catch, so a
 * throwing handler is logged and neither stops the other handlers nor unwinds the client
 * mid-update (mitt issues #15 and #200 ask for this; mitt leaves it to the caller). Handlers are
 * called from a copy of the list, so one may subscribe or unsubscribe while an event is delivered.
 */
export class SafeEmitter<Events extends Record<EventType, unknown>> {
  readonly #bus: Emitter<Events> = mitt<Events>();
  readonly #log: Logger;

  constructor(logger: Logger) {
    this.#log = logger;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    this.#bus.on(type, handler);
    return () => this.#bus.off(type, handler);
  }

  /** Unsubscribes `handler` (once); without one, every handler of `type`. */
  off<K extends keyof Events>(type: K, handler?: Handler<Events[K]>): void {
    this.#bus.off(type, handler);
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    const handlers = this.#bus.all.get(type) as Handler<Events[K]>[] | undefined;
    if (!handlers) return;
    for (const handler of handlers.slice()) {
      try {
        handler(event);
      } catch (error) {
        this.#log('error', `a '${String(type)}' handler threw`, error);
      }
    }
  }

  /** Drops every handler. */
  clear(): void {
    this.#bus.all.clear();
  }
}
