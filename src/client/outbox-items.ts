/**
 * Outbox items: creating them from API arguments (validated, so a bad call fails at once with a
 * TypeError instead of a server round trip), reading them back from storage, and turning them
 * into requests.
 */
import { Limits, isObject, jsonSize, type ClientRequest, type JsonObject } from '../protocol';
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
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
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
  return { kind: 'message', customId, text: checkText(text, 'text', Limits.textChars), createdAt };
}

/** A picked quick reply of the bot message `eventId`; `text` is the reply's label. */
export function postbackItem(eventId: unknown, text: unknown, customId: string, createdAt: string): OutboxItem {
  if (typeof eventId !== 'string' || eventId === '' || eventId.length > Limits.nameChars) {
    throw new TypeError(`eventId must be a non-empty string of at most ${Limits.nameChars} characters`);
  }
  return { kind: 'postback', customId, eventId, text: checkText(text, 'text', Limits.quickReplyChars), createdAt };
}

/** A host-page event; `body` (optional) must be a plain object of bounded JSON size. */
export function pageEventItem(alias: unknown, body: unknown, customId: string, createdAt: string): OutboxItem {
  if (typeof alias !== 'string' || alias === '' || alias.length > Limits.nameChars) {
    throw new TypeError(`alias must be a non-empty string of at most ${Limits.nameChars} characters`);
  }
  if (body === undefined) return { kind: 'page_event', customId, alias, createdAt };
  if (!isObject(body)) throw new TypeError('body must be a plain object');
  if (jsonSize(body) > Limits.contextChars) {
    throw new TypeError(`body must serialise to at most ${Limits.contextChars} characters of JSON`);
  }
  // A JSON copy: later changes by the caller do not alter what was queued, and it round-trips storage.
  return { kind: 'page_event', customId, alias, body: JSON.parse(JSON.stringify(body)) as JsonObject, createdAt };
}

/** The request that delivers `item`. */
export function outboxRequest(item: OutboxItem, requestId: string): ClientRequest {
  switch (item.kind) {
    case 'message':
      return {
        request_id: requestId,
        action: 'send_event',
        payload: { event: { type: 'message', text: item.text, custom_id: item.customId } },
      };
    case 'postback':
      return {
        request_id: requestId,
        action: 'send_rich_message_postback',
        payload: { event_id: item.eventId, postback: { id: item.text, toggled: true }, custom_id: item.customId },
      };
    case 'page_event':
      return {
        request_id: requestId,
        action: 'page_event',
        payload: { alias: item.alias, body: item.body, custom_id: item.customId },
      };
  }
}

/** Re-validates one stored item (storage is untrusted: another script may have written it). */
function parseItem(raw: unknown): OutboxItem | undefined {
  if (!isObject(raw) || typeof raw.customId !== 'string' || raw.customId === '') return undefined;
  if (raw.customId.length > Limits.nameChars || typeof raw.createdAt !== 'string') return undefined;
  try {
    switch (raw.kind) {
      case 'message':
        return messageItem(raw.text, raw.customId, raw.createdAt);
      case 'postback':
        return postbackItem(raw.eventId, raw.text, raw.customId, raw.createdAt);
      case 'page_event':
        return pageEventItem(raw.alias, raw.body, raw.customId, raw.createdAt);
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
