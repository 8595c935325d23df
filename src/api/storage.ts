import type { KeyValueStorage } from '../client';

/**
 * The page's localStorage, reached at the first call rather than now: the first access opens the
 * origin's storage (milliseconds in Chromium), and the widget opens its socket first so that the
 * cost overlaps with the handshake (npm run bench: the boot path). Its getter itself throws in
 * sandboxed iframes and with cookies blocked: then every call throws that error, which the client
 * (session-store.ts) and the seen marker already survive by keeping their state in memory for the
 * life of the page.
 */
export function pageStorage(win: Window): KeyValueStorage {
  let storage: KeyValueStorage | undefined;
  const reach = (): KeyValueStorage => (storage ??= win.localStorage);
  return {
    getItem: (key) => reach().getItem(key),
    setItem: (key, value) => reach().setItem(key, value),
    removeItem: (key) => reach().removeItem(key),
  };
}
