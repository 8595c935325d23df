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
        // Not an async function: awaiting inside one costs two more promises per call, on every
        // store call of every activation. A synchronous throw still becomes a rejection.
        wrapped = (...args: unknown[]) => {
          const started = performance.now();
          const done = () => observer.observe((performance.now() - started) / 1000);
          let result: Promise<unknown>;
          try {
            result = Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args));
          } catch (error) {
            done();
            return Promise.reject(error);
          }
          result.then(done, done);
          return result;
        };
        cache.set(name, wrapped);
      }
      return wrapped;
    },
  });
}
