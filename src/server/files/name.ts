/** Visitor file names: what is kept of the browser's name, and how it is sent back in a header. */
import { MAX_FILE_NAME_CHARS } from './limits';

/**
 * The file name to keep: the last path segment (a browser sends a bare name; other clients may
 * send a path), without control characters, trimmed. Undefined when nothing is left or it is too long.
 */
export function cleanFileName(raw: string): string | undefined {
  const last = raw.split(/[\\/]/).pop() ?? '';
  // Control characters (C0, DEL, C1) and the bidi overrides that can disguise an extension.
  const name = last.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (name === '' || name === '.' || name === '..' || [...name].length > MAX_FILE_NAME_CHARS) return undefined;
  return name;
}

/**
 * A `Content-Disposition` value naming `name` (RFC 6266): an ASCII fallback in `filename` for
 * old clients, the exact name in `filename*` (RFC 8187, UTF-8, percent-encoded).
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
