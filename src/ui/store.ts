/**
 * A minimal observable store: the api layer writes, the components read. No library: the widget
 * has one store and a handful of fields, and every kilobyte ships to every host page.
 */
export interface Store<S extends object> {
  get(): S;
  /** Merges `patch` (or the patch returned by `update(state)`) into the state; listeners run only when a field changed identity. */
  set(patch: Partial<S> | ((state: S) => Partial<S>)): void;
  /** Calls `listener` after each change; returns the function that unsubscribes. */
  subscribe(listener: (state: S) => void): () => void;
}

export function createStore<S extends object>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<(state: S) => void>();
  return {
    get: () => state,
    set(patch) {
      const changes = typeof patch === 'function' ? patch(state) : patch;
      const keys = Object.keys(changes) as (keyof S)[];
      if (keys.every((key) => Object.is(state[key], changes[key]))) return;
      state = { ...state, ...changes };
      // A copy: a listener that unsubscribes (or subscribes) while we iterate must not skip others.
      for (const listener of [...listeners]) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
