import type { Logger } from './types';

/** A handler of events of type `T`. */
export type Handler<T> = (event: T) => void;

/**
 * A typed event bus (mitt's API: `on`, `off`, `emit`, over a Map of handler lists) with a safe
 * `emit`: every handler runs inside its own try/catch, so a throwing handler is logged and
 * neither stops the other handlers nor unwinds the client mid-update (mitt issues #15 and #200 ask
 * for this; mitt leaves it to the caller). Handlers are called from a copy of the list, so one may
 * subscribe or unsubscribe while an event is delivered. Its own few lines rather than a wrapper
 * around mitt: it is in every host page's first load.
 */
export class SafeEmitter<Events extends Record<PropertyKey, unknown>> {
  readonly #all = new Map<keyof Events, Handler<never>[]>();
  readonly #log: Logger;

  constructor(logger: Logger) {
    this.#log = logger;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    const handlers = this.#all.get(type);
    if (handlers) handlers.push(handler);
    else this.#all.set(type, [handler]);
    return () => this.off(type, handler);
  }

  /** Unsubscribes `handler` (once); without one, every handler of `type`. */
  off<K extends keyof Events>(type: K, handler?: Handler<Events[K]>): void {
    const handlers = this.#all.get(type);
    if (!handlers) return;
    if (!handler) handlers.length = 0;
    else {
      const at = handlers.indexOf(handler);
      if (at >= 0) handlers.splice(at, 1);
    }
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    for (const handler of (this.#all.get(type) ?? []).slice() as Handler<Events[K]>[]) {
      try {
        handler(event);
      } catch (error) {
        this.#log('error', `a '${String(type)}' handler threw`, error);
      }
    }
  }

  /** Drops every handler. */
  clear(): void {
    this.#all.clear();
  }
}
