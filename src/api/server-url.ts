/** Where the backend is: the default `serverUrl` and the websocket URL derived from it. */

/**
 * The origin of the script that loaded the widget: `script`'s `src` (pass `document.currentScript`,
 * which is only set while the script is being evaluated), else the last `<script>` whose `src`
 * names messenger.js, else the page's own origin.
 */
export function scriptOrigin(document: Document, script: Element | null): string {
  const src = (script ?? [...document.querySelectorAll('script[src*="messenger.js"]')].pop())?.getAttribute('src');
  try {
    return new URL(src!, document.baseURI).origin;
  } catch {
    return document.location.origin; // no such script, or an unparsable src
  }
}

/**
 * `ws(s)://HOST[/PREFIX]/ws?organization=...&endpoint=...` for an http(s) `serverUrl`; a path in
 * `serverUrl` is kept as a prefix, for servers behind a reverse proxy under a sub-path.
 */
export function websocketUrl(serverUrl: string, organization: string, endpoint: string): string {
  const url = new URL(serverUrl);
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const prefix = url.pathname.replace(/\/+$/, '');
  const query = `organization=${encodeURIComponent(organization)}&endpoint=${encodeURIComponent(endpoint)}`;
  return `${scheme}//${url.host}${prefix}/ws?${query}`;
}
