/**
 * Fresh links to the visitor's files (docs/http-api.md, `POST /files/{id}/link`): the links in
 * pushes and history are signed for 24 hours, and a page may stay open longer. The panel asks
 * here when an image fails to load or a link is clicked past its `expires` (FileView.tsx). Part
 * of the lazy chunk, like the uploads.
 */
import { safeHref, type FileLinks } from '../ui';

export interface FileLinksOptions {
  /** The page's window: its `fetch`, read once. */
  window: Window & typeof globalThis;
  serverUrl: string;
  organization: string;
  endpoint: string;
  /** The connection: its session token, once logged in. */
  client: { readonly token?: string | undefined };
  /** Milliseconds since the epoch (the widget's clock; tests inject theirs). */
  now: () => number;
}

/** `url`'s `expires` (Unix seconds) in ms, or undefined when it has none. */
function expiresAt(url: string): number | undefined {
  try {
    const expires = new URL(url).searchParams.get('expires');
    return expires !== null && /^\d{1,12}$/.test(expires) ? Number(expires) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function createFileLinks(options: FileLinksOptions): FileLinks {
  const fetch = options.window.fetch?.bind(options.window);
  /** One request per file at a time: two views of one file share it. */
  const asked = new Map<string, Promise<string | undefined>>();

  const request = async (id: string): Promise<string | undefined> => {
    const token = options.client.token;
    if (token === undefined || typeof fetch !== 'function') return undefined;
    const server = new URL(options.serverUrl);
    const query = new URLSearchParams({ organization: options.organization, endpoint: options.endpoint });
    const res = await fetch(`${server.origin}${server.pathname.replace(/\/+$/, '')}/files/${encodeURIComponent(id)}/link?${query.toString()}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      credentials: 'omit',
    });
    if (!res.ok) return undefined;
    const body: unknown = await res.json();
    const url = typeof body === 'object' && body !== null ? (body as { url?: unknown }).url : undefined;
    // Only an http(s) link the server gave is ever shown.
    return typeof url === 'string' ? safeHref(url) : undefined;
  };

  return {
    expired(url) {
      const at = expiresAt(url);
      return at !== undefined && at <= options.now();
    },
    fresh(id) {
      let pending = asked.get(id);
      if (!pending) {
        pending = request(id).catch(() => undefined);
        asked.set(id, pending);
        // Forgotten once settled: a later failure (another day) may ask again.
        void pending.then(() => asked.delete(id));
      }
      return pending;
    },
  };
}
