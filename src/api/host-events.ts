import mitt, { type Handler } from 'mitt';
import type { Logger } from '../client';
import type { HostEventHandler, HostEventName, HostEvents } from './types';

/** The host event names (CONTRACT.md §3). */
export const HOST_EVENT_NAMES: readonly HostEventName[] = ['notification', 'Messenger'];

export interface HostEmitter {
  on<K extends HostEventName>(name: K, handler: HostEventHandler<K>): () => void;
  off<K extends HostEventName>(name: K, handler?: HostEventHandler<K>): void;
  emit<K extends HostEventName>(name: K, payload: HostEvents[K]): void;
  /** Drops every handler. */
  clear(): void;
}

/**
 * A typed mitt emitter for host-page handlers. `emit` calls each handler in its own try/catch:
 * host code must never break the widget or the other handlers (mitt issues #15 and #200; mitt's
 * own `emit` stops at the first throw).
 */
export function createHostEmitter(log: Logger): HostEmitter {
  const bus = mitt<HostEvents>();
  return {
    on(name, handler) {
      bus.on(name, handler);
      return () => bus.off(name, handler);
    },
    off: (name, handler) => bus.off(name, handler),
    emit(name, payload) {
      const handlers = bus.all.get(name) as Handler<HostEvents[typeof name]>[] | undefined;
      // A copy: a handler may unsubscribe itself (or others) while we iterate.
      for (const handler of handlers?.slice() ?? []) {
        try {
          handler(payload);
        } catch (error) {
          log('error', `a "${name}" handler threw`, error);
        }
      }
    },
    clear: () => bus.all.clear(),
  };
}
