/**
 * The safe Markdown subset of bot and agent messages (README.md, "Bots"): `**bold**`, `_italic_`,
 * `` `code` ``, `[title](https://…)`, `-` / `*` / `1.` lists and line breaks, plus bare http(s)
 * URLs as links. It parses into data (blocks of inline nodes) that Markdown.tsx turns into
 * element and text nodes: no HTML string is ever built, so no input becomes markup. A link's
 * target must be an absolute http(s) URL; anything else (`javascript:`, `data:`, relative) stays
 * literal text. Unbalanced markers stay literal too, and nesting stops at {@link MAX_DEPTH}.
 *
 * Linear in practice on hostile input: once a marker has no closing partner anywhere after it,
 * no later marker of that kind is looked for again.
 */
import { splitLinks } from './format';

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'strong' | 'em'; c: Inline[] }
  | { t: 'code'; v: string }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'br' };

export type Block = { t: 'p'; c: Inline[] } | { t: 'ul'; items: Inline[][] } | { t: 'ol'; items: Inline[][]; start: number };

/** How deep emphasis may nest (`**_a_**` is 2). Deeper markers are text. */
export const MAX_DEPTH = 4;

const BULLET = /^ {0,3}[-*+][ \t]+(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)][ \t]+(.*)$/;
const ESCAPABLE = new Set(['\\', '`', '*', '_', '[', ']', '(', ')', '-', '+', '.', '!', '#']);
const WORD = /[\p{L}\p{N}]/u;

/** An absolute http(s) URL, normalised, or `undefined` for anything else. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Parses `source` into blocks: paragraphs (a line break within one is a `br`) and lists. */
export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { t: 'ul' | 'ol'; items: string[]; start: number } | undefined;
  const endParagraph = () => {
    if (paragraph.length === 0) return;
    const c: Inline[] = [];
    paragraph.forEach((line, i) => {
      if (i > 0) c.push({ t: 'br' });
      c.push(...parseInline(line));
    });
    blocks.push({ t: 'p', c });
    paragraph = [];
  };
  const endList = () => {
    if (!list) return;
    const items = list.items.map((item) => parseInline(item));
    blocks.push(list.t === 'ul' ? { t: 'ul', items } : { t: 'ol', items, start: list.start });
    list = undefined;
  };
  for (const line of source.replace(/\r\n?/g, '\n').split('\n')) {
    const bullet = BULLET.exec(line);
    const ordered = bullet ? null : ORDERED.exec(line);
    if (bullet || ordered) {
      endParagraph();
      const t = bullet ? 'ul' : 'ol';
      if (list?.t !== t) {
        endList();
        list = { t, items: [], start: ordered ? Number(ordered[1]) : 1 };
      }
      list.items.push((bullet ? bullet[1] : ordered![2]) ?? '');
    } else if (line.trim() === '') {
      endParagraph();
      endList();
    } else {
      endList();
      paragraph.push(line);
    }
  }
  endParagraph();
  endList();
  return blocks;
}

/** Markers already known to have no closing partner after some position (hence after any later one). */
interface Exhausted {
  code?: boolean;
  strong?: boolean;
  em?: boolean;
  link?: boolean;
}

/** Parses one line's inline markup. `links`: false inside a link's title (no link in a link). */
export function parseInline(text: string, depth = 0, links = true, exhausted: Exhausted = {}): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = () => {
    if (!plain) return;
    for (const part of links ? splitLinks(plain) : [plain]) {
      out.push(typeof part === 'string' ? { t: 'text', v: part } : { t: 'link', href: part.href, c: [{ t: 'text', v: part.text }] });
    }
    plain = '';
  };
  const found: LinkMarks = { middle: -1, close: -1 };
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '\\' && ESCAPABLE.has(text[i + 1] ?? '')) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (char === '`' && !exhausted.code) {
      const end = text.indexOf('`', i + 1);
      if (end === -1) exhausted.code = true;
      else if (end > i + 1) {
        flush();
        out.push({ t: 'code', v: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (depth < MAX_DEPTH && char === '*' && text[i + 1] === '*' && !exhausted.strong) {
      const end = text.indexOf('**', i + 2);
      if (end === -1) exhausted.strong = true;
      else if (end > i + 2) {
        flush();
        // A fresh record inside: what cannot close within the span may still close after it.
        out.push({ t: 'strong', c: parseInline(text.slice(i + 2, end), depth + 1, links) });
        i = end + 2;
        continue;
      }
    }
    if (depth < MAX_DEPTH && char === '_' && !exhausted.em && opensEmphasis(text, i)) {
      const end = closingUnderscore(text, i + 1);
      if (end === -1) exhausted.em = true;
      else {
        flush();
        out.push({ t: 'em', c: parseInline(text.slice(i + 1, end), depth + 1, links) });
        i = end + 1;
        continue;
      }
    }
    if (links && char === '[' && !exhausted.link) {
      const link = linkAt(text, i, found);
      if (link === null) exhausted.link = true;
      else if (link) {
        flush();
        out.push({ t: 'link', href: link.href, c: parseInline(link.title, MAX_DEPTH, false) });
        i = link.end;
        continue;
      }
    }
    plain += char;
    i += 1;
  }
  flush();
  return out;
}

/**
 * `_` opens emphasis at the start of a word: not after a letter, digit or `_`, not before a space
 * or `_` (so `snake_case` and `__dunder` stay text).
 */
function opensEmphasis(text: string, i: number): boolean {
  const before = text[i - 1];
  const after = text[i + 1];
  return after !== undefined && !/\s|_/.test(after) && (before === undefined || (before !== '_' && !WORD.test(before)));
}

/** The `_` that closes emphasis opened before `from`: after a non-space, not before a letter, digit or `_`; -1 when none. */
function closingUnderscore(text: string, from: number): number {
  for (let i = text.indexOf('_', from + 1); i !== -1; i = text.indexOf('_', i + 1)) {
    const before = text[i - 1]!;
    const after = text[i + 1];
    if (!/\s|_/.test(before) && (after === undefined || (after !== '_' && !WORD.test(after)))) return i;
  }
  return -1;
}

/** The `](` and `)` last found: every `[` before that `](` finds the same pair, without searching again. */
interface LinkMarks {
  middle: number;
  close: number;
}

/**
 * The `[title](url)` at `i`: its parts; `undefined` when this `[` starts none (try the next one);
 * `null` when no `](` … `)` follows anywhere (no later `[` can start one either).
 */
function linkAt(text: string, i: number, found: LinkMarks): { title: string; href: string; end: number } | null | undefined {
  if (found.middle <= i) {
    found.middle = text.indexOf('](', i + 1);
    if (found.middle === -1) return null;
    found.close = text.indexOf(')', found.middle + 2);
  }
  const { middle, close } = found;
  if (close === -1) return null;
  // A `[` inside the title means this `[` is literal; the inner one may start the link.
  if (middle === i + 1 || text.lastIndexOf('[', middle - 1) > i) return undefined;
  const title = text.slice(i + 1, middle);
  const href = safeHref(text.slice(middle + 2, close));
  return href ? { title, href, end: close + 1 } : undefined;
}

/** The text a screen reader or the host page gets: the markup removed. */
export function plainText(blocks: readonly Block[]): string {
  const inline = (nodes: readonly Inline[]): string =>
    nodes.map((node) => (node.t === 'text' || node.t === 'code' ? node.v : node.t === 'br' ? '\n' : inline(node.c))).join('');
  return blocks.map((block) => (block.t === 'p' ? inline(block.c) : block.items.map(inline).join('\n'))).join('\n');
}
