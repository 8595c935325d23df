/**
 * How message text is shown: http(s) links found in bot and visitor text, and short local times.
 * Links are data: Bubble turns each into an `<a>` element node and the rest into text nodes, so
 * no text ever becomes markup.
 */

/** A piece of a message: plain text, or a link with its `href`. */
export type TextPart = string | { href: string; text: string };

// Up to whitespace or a character that cannot end a URL in prose; trailing punctuation is trimmed below.
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

/** Splits `text` into text and link parts, in order. Only `http:` and `https:` URLs become links. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    let url = match[0];
    // "(see https://x.example/a)" keeps its ")", "https://en.wikipedia.org/wiki/Set_(mathematics)" keeps it too.
    const trailing = TRAILING.exec(url)?.[0] ?? '';
    const keepParen = trailing.startsWith(')') && url.includes('(');
    url = url.slice(0, url.length - trailing.length + (keepParen ? 1 : 0));
    let href: string;
    try {
      href = new URL(url).href;
    } catch {
      continue;
    }
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push({ href, text: url });
    last = match.index + url.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** `iso` as a short local time in `lang` ("14:05", "2:05 PM"), or '' when it is not a date. `lang` is a valid tag (options.ts checks it). */
export function shortTime(iso: string, lang: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString(lang, { hour: 'numeric', minute: '2-digit' });
}
