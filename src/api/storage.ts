import type { KeyValueStorage, Logger } from '../client';

/**
 * The page's localStorage, or an in-memory stand-in when it cannot be used: the `localStorage`
 * getter itself throws in sandboxed iframes and with cookies blocked, and Safari's private mode
 * used to throw on the first write. The conversation then lasts as long as the page.
 */
export function pageStorage(win: Window, log: Logger): KeyValueStorage {
  try {
    const storage = win.localStorage;
    const probe = 'roundel:probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch (error) {
    log('warn', 'localStorage is unavailable; the conversation will not survive a reload', error);
    return memoryStorage();
  }
}

/** A KeyValueStorage kept in a Map for the life of the page. */
export function memoryStorage(): KeyValueStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
}
