/**
 * Reads the `rich` part of a bot message (protocol: LiveChat's `cards` template) from `unknown`
 * before anything of it is shown: the first load keeps it as an opaque object (parse-server.ts).
 * What is malformed is dropped part by part (a bad button, not the message); a URL that is not
 * absolute http(s) drops its image or button, whatever the server let through.
 */
import { isObject, type RichButton, type RichContent, type RichElement, type RichImage } from '../protocol';
import { safeHref } from './markdown';

/** More than the server sends (runtime/rich.ts): what a misbehaving server could flood the page with is bounded. */
const MAX_ELEMENTS = 11;
const MAX_BUTTONS = 5;
const MAX_CHARS = 2048;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' && value.length <= MAX_CHARS ? value : undefined);

function image(value: unknown): RichImage | undefined {
  if (!isObject(value)) return undefined;
  const url = typeof value.url === 'string' ? safeHref(value.url) : undefined;
  const alt = str(value.alternative_text);
  return url && alt ? { url, alternative_text: alt } : undefined;
}

function button(value: unknown): RichButton | undefined {
  if (!isObject(value)) return undefined;
  const text = str(value.text);
  const target = str(value.value);
  if (!text || !target) return undefined;
  if (value.type === 'message') return { type: 'message', text, value: target };
  const href = value.type === 'url' ? safeHref(target) : undefined;
  return href ? { type: 'url', text, value: href } : undefined;
}

function element(value: unknown): RichElement | undefined {
  if (!isObject(value)) return undefined;
  const parsed: RichElement = {};
  const title = str(value.title);
  const subtitle = str(value.subtitle);
  const picture = image(value.image);
  const buttons = Array.isArray(value.buttons) ? value.buttons.slice(0, MAX_BUTTONS).map(button).filter((b) => b !== undefined) : [];
  if (title) parsed.title = title;
  if (subtitle && title) parsed.subtitle = subtitle;
  if (picture) parsed.image = picture;
  if (buttons.length > 0) parsed.buttons = buttons;
  return parsed.title || parsed.image || parsed.buttons ? parsed : undefined;
}

/** The rich content to show, or `undefined` when there is none worth showing. */
export function readRich(value: unknown): RichContent | undefined {
  if (!isObject(value) || value.template_id !== 'cards' || !Array.isArray(value.elements)) return undefined;
  const elements = value.elements.slice(0, MAX_ELEMENTS).map(element).filter((e) => e !== undefined);
  return elements.length > 0 ? { template_id: 'cards', elements } : undefined;
}
