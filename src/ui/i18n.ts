/**
 * Loads the UI strings of a language other than English from the server
 * (`GET {serverUrl}/i18n/{lang}.json`, docs/protocol.md): the bundle carries only English, and
 * each page downloads at most the one table it needs.
 */
import { TRANSLATED, parseUiStrings, type UiStrings } from '../protocol';

/** The page's `fetch` when the bundle was evaluated: one the page installs later does not reach us. */
const pageFetch = globalThis.fetch;

/** How long a table may take; after that the widget stays in English. */
const TIMEOUT_MS = 5_000;

/**
 * The table of `lang` (completed from English), or `undefined` for English, for a language
 * without a table (no request then) and whenever there is none to be had: a server, network or
 * CSP that fails, a timeout, built-ins the page broke. Never rejects. `serverUrl` may have a path
 * (a server behind a proxy under a sub-path).
 */
export async function loadStrings(serverUrl: string, lang: string, fetchImpl: typeof fetch = pageFetch): Promise<UiStrings | undefined> {
  try {
    const tag = lang.toLowerCase();
    if (!TRANSLATED.includes(tag.split('-')[0] ?? tag)) return undefined;
    const { origin, pathname } = new URL(serverUrl);
    const response = await fetchImpl(`${origin}${pathname.replace(/\/+$/, '')}/i18n/${tag}.json`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    // text(), not json(): a string cannot be mistaken for a thenable on a page that polluted Object.prototype.
    return response.ok ? parseUiStrings(JSON.parse(await response.text())) : undefined;
  } catch {
    return undefined;
  }
}
