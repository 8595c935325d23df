/**
 * Outbox items: creating them from API arguments (validated, so a bad call fails at once with a
 * TypeError instead of a server round trip), reading them back from storage, and turning them
 * into requests.
 */
import { QUICK_REPLY_CHARS, TEXT_CHARS, isObject, type ClientRequest, type JsonObject } from '../protocol';
import { checkName, checkPageEvent } from './checks';
import type { OutboxItem } from './types';

/**
 * A fresh id for `custom_id`: `crypto.randomUUID()` where the page has it (secure contexts),
 * else a v4-shaped id from `random` (plain-http pages lack randomUUID; uniqueness per visitor is
 * all the server's dedupe needs).
 */
export function newCustomId(random: () => number): string {
  const cryptoApi = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof cryptoApi?.randomUUID === 'function') {
    try {
      return cryptoApi.randomUUID();
    } catch {
      // Some browsers expose randomUUID but throw outside secure contexts: fall through.
    }
  }
  // Each 0 becomes a random hex digit and the 8 one of 8-b (the variant); the 4 stays (the version).
  return '00000000-0000-4000-8000-000000000000'.replace(/[08]/g, (c) => (+c | Math.floor(random() * (c === '8' ? 4 : 16))).toString(16));
}

function checkText(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  const text = value.trim();
  if (text === '') throw new TypeError(`${name} must not be empty`);
  if (text.length > max) throw new TypeError(`${name} must be at most ${max} characters`);
  return text;
}

/** A visitor message; throws a TypeError when `text` is empty after trimming or too long. */
export function messageItem(text: unknown, customId: string, createdAt: string): OutboxItem {
  return { kind: 'message', customId, text: checkText(text, 'text', TEXT_CHARS), createdAt };
}

/** A pick in the bot message `eventId`: a quick reply's label, or a button's postback with its `title`. */
export function postbackItem(eventId: unknown, text: unknown, customId: string, createdAt: string, title?: unknown): OutboxItem {
  const item: OutboxItem = { kind: 'postback', customId, eventId: checkName(eventId, 'eventId'), text: checkText(text, 'text', QUICK_REPLY_CHARS), createdAt };
  return title === undefined ? item : { ...item, title: checkText(title, 'title', QUICK_REPLY_CHARS) };
}

/** A host-page event; `body` (optional) must be a plain object of bounded JSON size. */
export function pageEventItem(alias: unknown, body: unknown, customId: string, createdAt: string): OutboxItem {
  checkPageEvent(alias, body);
  if (body === undefined) return { kind: 'page_event', customId, alias: alias as string, createdAt };
  // A JSON copy: later changes by the caller do not alter what was queued, and it round-trips storage.
  return { kind: 'page_event', customId, alias: alias as string, body: JSON.parse(JSON.stringify(body)) as JsonObject, createdAt };
}

/** The action and payload of the request that delivers `item`. */
export function outboxRequest(item: OutboxItem): Pick<ClientRequest, 'action' | 'payload'> {
  const { customId: custom_id } = item;
  switch (item.kind) {
    case 'message':
      return { action: 'send_event', payload: { event: { type: 'message', text: item.text, custom_id } } };
    case 'postback':
      return {
        action: 'send_rich_message_postback',
        payload: { event_id: item.eventId, postback: { id: item.text, toggled: true }, custom_id, ...(item.title === undefined ? {} : { text: item.title }) },
      };
    case 'page_event':
      return { action: 'page_event', payload: { alias: item.alias, body: item.body, custom_id } };
  }
}

/** Re-validates one stored item (storage is untrusted: another script may have written it). */
function parseItem(raw: unknown): OutboxItem | undefined {
  if (!isObject(raw) || typeof raw.createdAt !== 'string') return undefined;
  try {
    const customId = checkName(raw.customId, 'customId');
    switch (raw.kind) {
      case 'message':
        return messageItem(raw.text, customId, raw.createdAt);
      case 'postback':
        return postbackItem(raw.eventId, raw.text, customId, raw.createdAt, raw.title);
      case 'page_event':
        return pageEventItem(raw.alias, raw.body, customId, raw.createdAt);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** The valid items of a stored outbox, in order; anything else is dropped. Duplicate ids keep the first. */
export function parseOutbox(raw: unknown): OutboxItem[] {
  if (!Array.isArray(raw)) return [];
  const seen = new Set<string>();
  const items: OutboxItem[] = [];
  for (const entry of raw) {
    const item = parseItem(entry);
    if (!item || seen.has(item.customId)) continue;
    seen.add(item.customId);
    items.push(item);
  }
  return items;
}
