/**
 * Turns a chat input into the bot call it stands for: which handler, with which arguments, and
 * the `ctx.request` it sees. The input is the intake's own typed union (chat/inbound.ts), handed
 * over in memory or read back from the inbox once through its parser: nothing here reads an
 * untyped payload by string keys.
 */
import type { JsonObject } from '../../protocol';
import type { ChatInput } from '../chat/inbound';
import type { ChatRecord } from '../store/types';
import type { Bot, BotContext, BotFile, BotRequest } from './types';
import { copyJson } from './json-copy';

export interface Dispatch {
  request: BotRequest;
  /** Calls the bot's handler; undefined when the bot has none for this input. */
  call: ((bot: Bot, ctx: BotContext) => unknown) | undefined;
  /** For an external event sent to everyone, stored before this release: the `incoming_multicast` to store first. */
  multicast?: { type: string; content: JsonObject };
  /** For an external event: its `data`, the chat's new `ctx.lastRequest` (persisted with the item). */
  lastRequest?: JsonObject;
}

/**
 * What running `input` in `chat` means for `bot`. `fileUrl` makes the signed, expiring URL of a
 * visitor file for `onFile` (made now, when the turn runs, so it is fresh however long it waited).
 */
export function planItem(input: ChatInput, chat: ChatRecord, bot: Bot, fileUrl: (fileId: string) => string): Dispatch {
  // A copy: the cached chat is shared and frozen, and the bot may change what it is given.
  const context = copyJson(chat.context);
  const base: BotRequest = {
    channelType: 'chatwidget',
    botId: chat.endpoint,
    channelUserId: chat.id,
    chatId: chat.id,
    threadId: chat.thread.id,
    type: 'start',
    ...(chat.user ? { user: { ...chat.user } } : {}),
    rawRequest: {},
    payload: { user: { context } },
  };
  switch (input.kind) {
    case 'start':
      return { request: base, call: bot.onStart && ((b, ctx) => b.onStart?.(ctx)) };
    case 'message':
    case 'postback': {
      const text = input.kind === 'message' ? input.text : input.postback.id;
      // Un-toggling a quick reply is stored for the transcript but is not something the visitor said.
      const said = input.kind === 'message' || input.postback.toggled;
      return {
        request: { ...base, type: 'message', text },
        call: said && bot.onMessage ? (b, ctx) => b.onMessage?.(ctx, text) : undefined,
      };
    }
    case 'file': {
      const file: BotFile = { ...input.file, url: fileUrl(input.file.id) };
      return {
        request: { ...base, type: 'file', text: input.file.name },
        call: bot.onFile && ((b, ctx) => b.onFile?.(ctx, { ...file })),
      };
    }
    case 'page_event': {
      const body = copyJson(input.body ?? {});
      return {
        request: { ...base, type: 'page_event', event: input.alias, payload: { user: { context: body } } },
        call: bot.onPageEvent && ((b, ctx) => b.onPageEvent?.(ctx, input.alias, body)),
      };
    }
    case 'pushback': {
      const eventData = copyJson(input.eventData);
      return {
        request: { ...base, type: 'event', event: input.event, rawRequest: { eventData } },
        call: bot.onEvent && ((b, ctx) => b.onEvent?.(ctx, input.event, eventData)),
      };
    }
    case 'external': {
      const eventData = copyJson(input.data);
      return {
        request: { ...base, type: 'event', event: input.event, rawRequest: { eventData } },
        call: bot.onEvent && ((b, ctx) => b.onEvent?.(ctx, input.event, eventData)),
        ...(input.multicast ? { multicast: { type: input.event, content: input.data } } : {}),
        lastRequest: input.data,
      };
    }
  }
}
