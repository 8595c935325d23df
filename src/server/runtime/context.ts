/**
 * Builds the `ctx` a bot handler gets. Every argument is validated (the bot is untrusted):
 * invalid ones throw a TypeError into the bot. Outputs are appended in call order, each with the
 * origin `<inboxId>:<ordinal>`, so a re-run of the same item after a crash appends nothing twice.
 */
import { randomUUID } from 'node:crypto';
import {
  Limits,
  USER_INPUT_DISABLED,
  USER_INPUT_ENABLED,
  isObject,
  jsonSize,
  type JsonObject,
} from '../../protocol';
import type { ChatService } from '../chat/service';
import { messagePush, notificationPush } from '../chat/pushes';
import type { Endpoint } from '../endpoints';
import { errorFields, type Logger } from '../logger';
import type { ChatRecord, InboxItem, PushBuilder, Store } from '../store/types';
import type { PushbackService } from './pushbacks';
import type { BotContext, BotRequest, HandoffPort, Pushback, SayOptions } from './types';

export interface ContextDeps {
  endpoint: Endpoint;
  chat: ChatRecord;
  /** `ctx.lastRequest` for this call. */
  lastRequest: JsonObject | undefined;
  item: InboxItem;
  request: BotRequest;
  store: Store;
  chats: ChatService;
  pushbacks: PushbackService;
  logger: Logger;
  /** The agent side; without it `ctx.handoff()` does nothing. */
  handoff?: HandoffPort;
}

export interface ContextHandle {
  ctx: BotContext;
  /** Refuses further calls and resolves once every output already requested is stored. */
  seal(): Promise<void>;
}

/** Outputs one handler call may produce; a runaway loop in a bot must not fill the log. */
export const MAX_OUTPUTS_PER_CALL = 500;

function checkText(name: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  if (value.length > max) throw new TypeError(`${name} must be at most ${max} characters`);
  return value;
}

function checkQuickReplies(options: unknown): string[] | undefined {
  if (options === undefined) return undefined;
  if (!isObject(options)) throw new TypeError('say options must be an object');
  const replies = options.quickReplies;
  if (replies === undefined) return undefined;
  if (!Array.isArray(replies)) throw new TypeError('quickReplies must be an array of strings');
  if (replies.length > Limits.quickReplies) {
    throw new TypeError(`quickReplies must have at most ${Limits.quickReplies} entries`);
  }
  return replies.map((reply, i) => checkText(`quickReplies[${i}]`, reply, Limits.quickReplyChars));
}

function checkEventData(value: unknown): JsonObject {
  if (!isObject(value)) throw new TypeError('eventData must be a plain object');
  if (jsonSize(value) > Limits.contextChars) {
    throw new TypeError(`eventData must serialise to at most ${Limits.contextChars} characters`);
  }
  // A copy through JSON: what the bot gets back is exactly what is stored.
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** A promise the bot may ignore: marking it handled keeps an unawaited failure from crashing Node. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** The `ctx` for one inbox item, and the handle that seals it when the handler is done. */
export function createBotContext(deps: ContextDeps): ContextHandle {
  const { chat, item, endpoint, logger } = deps;
  const log = { chatId: chat.id, itemId: item.id, endpoint: endpoint.endpoint };
  let sealed = false;
  let ordinal = 0;
  let chain: Promise<unknown> = Promise.resolve();

  // Runs `op` after every earlier output, so outputs are stored in call order.
  const enqueue = <T>(what: string, op: (origin: string) => Promise<T>): Promise<T> => {
    if (ordinal >= MAX_OUTPUTS_PER_CALL) {
      throw new RangeError(`a handler call may send at most ${MAX_OUTPUTS_PER_CALL} outputs`);
    }
    const origin = `${item.id}:${++ordinal}`;
    const result = chain.then(() => op(origin));
    chain = result.catch((error: unknown) => logger.error('bot output failed', { ...log, what, ...errorFields(error) }));
    return handled(result);
  };

  const refuse = (what: string): boolean => {
    if (sealed) logger.warn('bot called ctx after its handler finished; ignored', { ...log, what });
    return sealed;
  };

  const append = (what: string, build: PushBuilder): Promise<void> =>
    enqueue(what, async (origin) => {
      await deps.chats.append(chat.id, build, origin);
    });

  const notify = (message: unknown): Promise<void> => {
    const text = checkText('message', message, Limits.notificationChars);
    if (refuse('notifyHost')) return Promise.resolve();
    return append('notifyHost', notificationPush(chat.id, text));
  };

  const createPushback = (chatId: string, event: unknown, eventData: unknown): Promise<Pushback> => {
    const name = checkText('event', event, Limits.nameChars);
    const data = checkEventData(eventData);
    if (refuse('createPushback')) return handled(Promise.reject(new Error('the handler has finished')));
    return enqueue('createPushback', async (origin) => {
      const target = chatId === chat.id ? chat : await deps.store.getChat(chatId);
      if (!target || target.endpoint !== endpoint.endpoint) throw new Error(`chatId '${chatId}' is not a chat of this bot`);
      const input = { channelType: 'chatwidget', botId: endpoint.endpoint, chatId, event: name, eventData: data };
      return deps.pushbacks.create(input, origin);
    });
  };

  const ctx: BotContext = {
    say(text: string, options?: SayOptions): Promise<void> {
      const body = checkText('text', text, Limits.textChars);
      const quickReplies = checkQuickReplies(options);
      if (refuse('say')) return Promise.resolve();
      return append('say', messagePush(chat.id, { id: randomUUID(), author: 'bot', text: body, quickReplies }));
    },
    notifyHost: notify,
    typing(): void {
      // Ephemeral (not stored): the indicator the runtime shows while a handler runs, again,
      // for a handler that keeps working after it said something.
      if (!refuse('typing')) deps.chats.typing(chat.id, true);
    },
    disableInput: () => notify(USER_INPUT_DISABLED),
    enableInput: () => notify(USER_INPUT_ENABLED),
    createPushback: (event: string, eventData?: JsonObject) => createPushback(chat.id, event, eventData ?? {}),
    $pushgate: {
      createPushback(channelType, botId, chatId, event, eventData) {
        if ([channelType, botId, chatId, event, eventData].some((arg) => arg === undefined || arg === null)) {
          throw new TypeError('$pushgate.createPushback needs channelType, botId, chatId, event and eventData');
        }
        if (channelType !== 'chatwidget') throw new TypeError("channelType must be 'chatwidget'");
        if (botId !== endpoint.endpoint) throw new TypeError(`botId must be this bot's id '${endpoint.endpoint}'`);
        return createPushback(checkText('chatId', chatId, Limits.nameChars), event, eventData);
      },
    },
    handoff(reason?: string): Promise<void> {
      const why = reason === undefined ? undefined : checkText('reason', reason, 200);
      if (refuse('handoff')) return Promise.resolve();
      // In the output chain: a `say` before the handoff reaches the visitor before the notice.
      return enqueue('handoff', async () => deps.handoff?.handoff(chat.id, why));
    },
    request: deps.request,
    state: structuredClone(chat.state),
    lastRequest: deps.lastRequest === undefined ? undefined : structuredClone(deps.lastRequest),
  };

  return {
    ctx,
    async seal() {
      sealed = true;
      await chain;
    },
  };
}
