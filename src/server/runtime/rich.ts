/**
 * `ctx.say(text, options)` options, parsed from what the bot passed (the bot is untrusted): quick
 * replies, buttons, an image and cards become the message's `quick_replies` and `rich` content
 * (LiveChat's `rich_message` shape: a `cards` template and its elements; docs/protocol.md). Every
 * field is checked: http(s) URLs only, lengths and counts bounded. A bad one throws a TypeError
 * into the handler that names it (`say: options.cards[1].buttons[0].url must be an http(s) URL`).
 */
import { Limits, isObject, type RichButton, type RichContent, type RichElement, type RichImage } from '../../protocol';

/** The bounds of rich content (docs/protocol.md). */
export const RICH_LIMITS = {
  /** Buttons under one message or one card. */
  buttons: 5,
  /** Cards in one carousel. */
  cards: 10,
  /** A button's title: what the transcript shows when it is picked, so a quick reply's bound. */
  buttonTitleChars: Limits.quickReplyChars,
  /** A `postback`: what the bot's onMessage gets back, sent by the widget as a postback id. */
  postbackChars: Limits.quickReplyChars,
  cardTitleChars: 200,
  cardSubtitleChars: 1000,
  altChars: 500,
  urlChars: 2048,
} as const;

/** What `say` stores besides its text. */
export interface ParsedSayOptions {
  quickReplies?: string[];
  rich?: RichContent;
}

const where = (path: string) => `say: options.${path}`;

function text(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${where(path)} must be a non-empty string`);
  if (value.length > max) throw new TypeError(`${where(path)} must be at most ${max} characters`);
  return value;
}

function list(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${where(path)} must be an array`);
  if (value.length > max) throw new TypeError(`${where(path)} must have at most ${max} entries`);
  return value;
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new TypeError(`${where(path)} must be an object`);
  return value;
}

/** An absolute http(s) URL, normalised; any other scheme (javascript:, data:, file:, ...) is refused. */
export function httpUrl(value: unknown, path: string): string {
  const raw = text(value, path, RICH_LIMITS.urlChars);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`${where(path)} must be an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${where(path)} must be an http(s) URL`);
  if (url.href.length > RICH_LIMITS.urlChars) throw new TypeError(`${where(path)} must be at most ${RICH_LIMITS.urlChars} characters`);
  return url.href;
}

function image(value: unknown, path: string): RichImage {
  const raw = object(value, path);
  // An image without a text alternative is invisible to screen readers: `alt` is required ('' is not).
  return { url: httpUrl(raw.url, `${path}.url`), alternative_text: text(raw.alt, `${path}.alt`, RICH_LIMITS.altChars) };
}

function button(value: unknown, path: string): RichButton {
  const raw = object(value, path);
  const title = text(raw.title, `${path}.title`, RICH_LIMITS.buttonTitleChars);
  const hasUrl = raw.url !== undefined;
  if (hasUrl === (raw.postback !== undefined)) throw new TypeError(`${where(path)} must have either a url or a postback`);
  return hasUrl
    ? { type: 'url', text: title, value: httpUrl(raw.url, `${path}.url`) }
    : { type: 'message', text: title, value: text(raw.postback, `${path}.postback`, RICH_LIMITS.postbackChars) };
}

function buttons(value: unknown, path: string): RichButton[] | undefined {
  if (value === undefined) return undefined;
  return list(value, path, RICH_LIMITS.buttons).map((entry, i) => button(entry, `${path}[${i}]`));
}

function card(value: unknown, path: string): RichElement {
  const raw = object(value, path);
  const element: RichElement = { title: text(raw.title, `${path}.title`, RICH_LIMITS.cardTitleChars) };
  if (raw.subtitle !== undefined) element.subtitle = text(raw.subtitle, `${path}.subtitle`, RICH_LIMITS.cardSubtitleChars);
  if (raw.image !== undefined) element.image = image(raw.image, `${path}.image`);
  const picks = buttons(raw.buttons, `${path}.buttons`);
  if (picks?.length) element.buttons = picks;
  return element;
}

/**
 * Parses `say` options. The message's own `image` and `buttons` become an element without a
 * title, first; `cards` follow as titled elements (several form a carousel).
 */
export function parseSayOptions(options: unknown): ParsedSayOptions {
  if (options === undefined) return {};
  if (!isObject(options)) throw new TypeError('say: options must be an object');
  const raw = options;
  const parsed: ParsedSayOptions = {};
  if (raw.quickReplies !== undefined) {
    parsed.quickReplies = list(raw.quickReplies, 'quickReplies', Limits.quickReplies).map((reply, i) => text(reply, `quickReplies[${i}]`, Limits.quickReplyChars));
  }
  const elements: RichElement[] = [];
  const own: RichElement = {};
  if (raw.image !== undefined) own.image = image(raw.image, 'image');
  const picks = buttons(raw.buttons, 'buttons');
  if (picks?.length) own.buttons = picks;
  if (own.image || own.buttons) elements.push(own);
  if (raw.cards !== undefined) elements.push(...list(raw.cards, 'cards', RICH_LIMITS.cards).map((entry, i) => card(entry, `cards[${i}]`)));
  if (elements.length > 0) parsed.rich = { template_id: 'cards', elements };
  return parsed;
}
