import type { Logger } from './types';

type Handler<T> = (event: T) => void;

/**
 * mitt's typed event bus, with an `emit` that calls every handler inside its own try/catch: a
 * throwing handler is logged and neither stops the other handlers nor unwinds the client
 * mid-update (mitt issues #15 and #200 ask for this; mitt leaves it to the caller). Written out
 * rather than wrapped: with its `emit` replaced, what mitt would add is a Map of arrays.
 * Handler lists are replaced, never mutated, so a handler may subscribe or unsubscribe while an
 * event is delivered.
 */
export class SafeEmitter<Events extends Record<string, unknown>> {
  readonly #handlers = new Map<keyof Events, readonly Handler<never>[]>();
  readonly #log: Logger;

  constructor(logger: Logger) {
    this.#log = logger;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    this.#handlers.set(type, [...(this.#handlers.get(type) ?? []), handler]);
    return () => this.off(type, handler);
  }

  /** Unsubscribes `handler` (once, like mitt); without one, every handler of `type`. */
  off<K extends keyof Events>(type: K, handler?: Handler<Events[K]>): void {
    const handlers = [...(this.#handlers.get(type) ?? [])];
    if (handler) {
      const index = handlers.indexOf(handler);
      if (index >= 0) handlers.splice(index, 1);
    }
    this.#handlers.set(type, handler ? handlers : []);
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    for (const handler of this.#handlers.get(type) ?? []) {
      try {
        (handler as Handler<Events[K]>)(event);
      } catch (error) {
        this.#log('error', `a '${String(type)}' handler threw`, error);
      }
    }
  }

  /** Drops every handler. */
  clear(): void {
    this.#handlers.clear();
  }
}
