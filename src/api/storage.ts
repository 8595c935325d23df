import type { KeyValueStorage } from '../client';

/**
 * The page's localStorage. Its getter itself throws in sandboxed iframes and with cookies
 * blocked: then a storage whose every call throws that error, which the client (session-store.ts)
 * and the seen marker already survive by keeping their state in memory for the life of the page.
 */
export function pageStorage(win: Window): KeyValueStorage {
  try {
    return win.localStorage;
  } catch (error) {
    const fail = (): never => {
      throw error;
    };
    return { getItem: fail, setItem: fail, removeItem: fail };
  }
}
