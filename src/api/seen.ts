import type { KeyValueStorage } from '../client';

/**
 * The id of the newest bot message the visitor has seen (the panel was open while it was
 * shown), kept in storage so the unread badge survives a reload. A failing storage only costs
 * that persistence.
 */
export interface SeenMarker {
  readonly id: string | undefined;
  mark(id: string): void;
}

export function seenMarker(storage: KeyValueStorage, key: string): SeenMarker {
  let id: string | undefined;
  try {
    id = storage.getItem(key) ?? undefined;
  } catch {
    // Unreadable storage: nothing seen yet.
  }
  return {
    get id() {
      return id;
    },
    mark(next) {
      if (next === id) return;
      id = next;
      try {
        storage.setItem(key, next);
      } catch {
        // Kept in memory for this page.
      }
    },
  };
}
