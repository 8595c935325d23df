/**
 * Turns a stored inbox item into the bot call it stands for: which handler, with which
 * arguments, and the `ctx.request` it sees. Item payloads are read defensively (storage is an edge).
 */
import { isObject, type JsonObject } from '../../protocol';
import type { ChatRecord, InboxItem } from '../store/types';
import type { Bot, BotContext, BotRequest } from './types';

export interface Dispatch {
  request: BotRequest;
  /** Calls the bot's handler; undefined when the bot has none for this item. */
  call: ((bot: Bot, ctx: BotContext) => unknown) | undefined;
  /** For an external event sent to everyone: the `incoming_multicast` push to store first. */
  multicast?: { type: string; content: JsonObject };
  /** For an external event: its `data`, the chat's new `ctx.lastRequest` (persisted with the item). */
  lastRequest?: JsonObject;
}

const text = (payload: JsonObject, key: string): string => {
  const value = payload[key];
  return typeof value === 'string' ? value : '';
};

const object = (payload: JsonObject, key: string): JsonObject => {
  const value = payload[key];
  return isObject(value) ? value : {};
};

/** What running `item` means for `bot`. */
export function planItem(item: InboxItem, chat: ChatRecord, bot: Bot): Dispatch {
  const base: BotRequest = {
    channelType: 'chatwidget',
    botId: chat.endpoint,
    channelUserId: chat.id,
    chatId: chat.id,
    threadId: chat.thread.id,
    type: 'start',
    ...(chat.user ? { user: { ...chat.user } } : {}),
    rawRequest: {},
    payload: { user: { context: chat.context } },
  };
  const p = item.payload;
  switch (item.kind) {
    case 'start':
      return { request: base, call: bot.onStart && ((b, ctx) => b.onStart?.(ctx)) };
    case 'message':
    case 'postback': {
      const message = text(p, 'text');
      // Un-toggling a quick reply is stored for the transcript but is not something the visitor said.
      const said = item.kind === 'message' || p.toggled !== false;
      return {
        request: { ...base, type: 'message', text: message },
        call: said && bot.onMessage ? (b, ctx) => b.onMessage?.(ctx, message) : undefined,
      };
    }
    case 'page_event': {
      const alias = text(p, 'alias');
      const body = object(p, 'body');
      return {
        request: { ...base, type: 'page_event', event: alias, payload: { user: { context: body } } },
        call: bot.onPageEvent && ((b, ctx) => b.onPageEvent?.(ctx, alias, body)),
      };
    }
    case 'event': {
      const event = text(p, 'event');
      const eventData = object(p, 'eventData');
      return {
        request: { ...base, type: 'event', event, rawRequest: { eventData } },
        call: bot.onEvent && ((b, ctx) => b.onEvent?.(ctx, event, eventData)),
        ...(p.multicast === true ? { multicast: { type: event, content: eventData } } : {}),
        ...(p.source === 'external' ? { lastRequest: eventData } : {}),
      };
    }
  }
}
