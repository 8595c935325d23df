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

/** Reads storage at the first use, not at creation: the widget's socket opens first (storage.ts). */
export function seenMarker(storage: KeyValueStorage, key: string): SeenMarker {
  let id: string | undefined;
  let read = false;
  const current = (): string | undefined => {
    if (!read) {
      read = true;
      try {
        id = storage.getItem(key) ?? undefined;
      } catch {
        // Unreadable storage: nothing seen yet.
      }
    }
    return id;
  };
  return {
    get id() {
      return current();
    },
    mark(next) {
      if (next === current()) return;
      id = next;
      try {
        storage.setItem(key, next);
      } catch {
        // Kept in memory for this page.
      }
    },
  };
}
