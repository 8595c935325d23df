/**
 * Reports the page the visitor is on to agents (`customer_page_updated`, docs/agent-api.md): once
 * at start and after every single-page-app navigation (`pushState`, `replaceState`, `popstate`).
 *
 * Where the browser has the Navigation API, its `currententrychange` event covers all three and
 * nothing of the page is touched. Elsewhere `history.pushState` / `replaceState` are wrapped on the
 * page's `history` object: the wrapper calls the page's own function with the same `this` and
 * arguments and returns its result (so the host's use of them is unchanged), and `stop()` puts
 * the originals back unless the page replaced them meanwhile.
 */
import type { CustomerPagePayload } from '../protocol';

type HistoryMethod = (this: History, data: unknown, unused: string, url?: string | URL | null) => void;

interface NavigationLike {
  addEventListener(type: 'currententrychange', listener: () => void): void;
  removeEventListener(type: 'currententrychange', listener: () => void): void;
}

/** The page as agents see it: URL, title and referrer, each cut to 2048 characters. */
export function currentPage(win: Window): CustomerPagePayload {
  const cut = (text: string) => text.slice(0, 2048);
  return { url: cut(win.location.href), title: cut(win.document.title), referrer: cut(win.document.referrer) };
}

/** Starts reporting; returns the function that stops it. `report` must not throw. */
export function trackPage(win: Window & typeof globalThis, report: (page: CustomerPagePayload) => void): () => void {
  let last = '';
  // After the navigation's own turn: a router sets the new title right after pushState.
  const changed = () =>
    win.setTimeout(() => {
      const page = currentPage(win);
      const key = `${page.url}\n${page.title}`;
      if (key === last) return;
      last = key;
      report(page);
    }, 0);
  changed();

  const navigation = (win as unknown as { navigation?: NavigationLike }).navigation;
  if (navigation && typeof navigation.addEventListener === 'function') {
    navigation.addEventListener('currententrychange', changed);
    return () => navigation.removeEventListener('currententrychange', changed);
  }

  const history = win.history;
  const wrap = (original: HistoryMethod): HistoryMethod =>
    function (this: History, ...args) {
      const result = original.apply(this, args);
      changed();
      return result;
    };
  const originals = { pushState: history.pushState as HistoryMethod, replaceState: history.replaceState as HistoryMethod };
  const wrappers = { pushState: wrap(originals.pushState), replaceState: wrap(originals.replaceState) };
  history.pushState = wrappers.pushState;
  history.replaceState = wrappers.replaceState;
  win.addEventListener('popstate', changed);
  return () => {
    win.removeEventListener('popstate', changed);
    for (const name of ['pushState', 'replaceState'] as const) {
      if (history[name] === wrappers[name]) history[name] = originals[name];
    }
  };
}
