/** Wraps a {@link Store} so every call's latency lands in a metric, labelled by operation. */
import type { Observer } from '../metrics';
import type { Store } from './types';

export function instrumentStore(store: Store, latency: Observer): Store {
  const cache = new Map<PropertyKey, unknown>();
  // A Proxy rather than copying own properties, so a class-based engine (methods on the prototype) works too.
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      let wrapped = cache.get(name);
      if (!wrapped) {
        // Bound once per operation: a call records its latency without a label lookup.
        const observer = latency.bind({ op: String(name) });
        wrapped = async (...args: unknown[]) => {
          const started = process.hrtime.bigint();
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            observer.observe(Number(process.hrtime.bigint() - started) / 1e9);
          }
        };
        cache.set(name, wrapped);
      }
      return wrapped;
    },
  });
}
