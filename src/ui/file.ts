/**
 * A visitor file as the panel shows it, read field by field from `unknown` (the first load keeps
 * `event.file` opaque, parse-server.ts): an image inline when the server sniffed a safe image type,
 * any other file as a link with its name and size. A URL that is not absolute http(s) shows no
 * link at all.
 */
import { isObject } from '../protocol';
import { safeHref } from './markdown';

/** The file of a message, as shown. */
export interface ShownFile {
  /** The server's id of the file (asking for a fresh link needs it); absent when the wire gave none. */
  id?: string;
  name: string;
  /** Bytes. */
  size: number;
  /** Shown inline (PNG, JPEG, GIF, WebP: the types the server serves inline; never SVG). */
  image: boolean;
  /** Absent when the server gave none (or an unusable one). */
  url?: string;
}

const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** The file to show, or undefined when `value` is not one. */
export function readFile(value: unknown): ShownFile | undefined {
  if (!isObject(value)) return undefined;
  const { id, name, size, content_type: type, url } = value;
  if (typeof name !== 'string' || name === '' || name.length > 255 || typeof size !== 'number' || !(size >= 0)) return undefined;
  const href = typeof url === 'string' ? safeHref(url) : undefined;
  return {
    ...(typeof id === 'string' && id !== '' ? { id } : {}),
    name,
    size,
    image: typeof type === 'string' && INLINE.has(type),
    ...(href === undefined ? {} : { url: href }),
  };
}

/**
 * Signed file links outlive their signature when a page stays open (24 h, docs/http-api.md,
 * "Visitor files"): how the widget tells and gets a new one. The agent console has none (its
 * links are fresh at every `get_chat`).
 */
export interface FileLinks {
  /** Whether `url`'s signature has run out (its `expires`, against the widget's clock). */
  expired(url: string): boolean;
  /** A freshly signed link to file `id`, or undefined when none can be had. Never rejects. */
  fresh(id: string): Promise<string | undefined>;
}

const UNITS = ['B', 'KB', 'MB', 'GB'];

/** `bytes` for people, in `lang`'s digits: "512 B", "48.2 KB", "10 MB" (units of 1024). */
export function humanSize(bytes: number, lang: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toLocaleString(lang, { maximumFractionDigits: digits })} ${UNITS[unit]}`;
}
