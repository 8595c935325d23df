/** Where the backend is: the default `serverUrl` and the websocket URL derived from it. */

/**
 * The origin of the script that loaded the widget: `script`'s `src` (pass `document.currentScript`,
 * which is only set while the script is being evaluated), else the last `<script>` whose path ends
 * in `messenger.js`, else the page's own origin.
 */
export function scriptOrigin(document: Document, script: Element | null): string {
  const candidates = [script, ...Array.from(document.querySelectorAll('script[src]')).reverse()];
  for (const [index, candidate] of candidates.entries()) {
    const src = candidate?.getAttribute('src');
    if (!src) continue;
    try {
      const url = new URL(src, document.baseURI);
      if (index === 0 || url.pathname.endsWith('/messenger.js')) return url.origin;
    } catch {
      // An unparsable src: try the next candidate.
    }
  }
  return document.location?.origin ?? '';
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
