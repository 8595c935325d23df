/**
 * Builds the `ctx` a bot handler gets. Every argument is validated (the bot is untrusted):
 * invalid ones throw a TypeError into the bot. Outputs are appended in call order, each with the
 * origin `<inboxId>:<ordinal>`, so a re-run of the same item after a crash appends nothing twice.
 *
 * An output is queued in the turn's group commit at once (the store keeps the order of requests)
 * and `say` resolves right away: a handler that says something and returns within its event-loop
 * turn has its outputs and its done mark stored by one commit. A push is published only once
 * committed. An output that could not be stored fails the turn's done mark, so the item runs
 * again (its stored outputs are not repeated: their origins exist).
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
import { CommitError } from '../store/group-commit';
import { messagePush, notificationPush } from '../chat/pushes';
import type { Endpoint } from '../endpoints';
import { errorFields, type Logger } from '../logger';
import type { ChatRecord, InboxItem, PushBuilder, Store } from '../store/types';
import type { PushbackService } from './pushbacks';
import { parseSayOptions } from './rich';
import type { BotContext, BotRequest, HandoffPort, Pushback, SayOptions } from './types';
import { copyJson } from './json-copy';

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
  /** `ctx.typing()`: show the typing indicator now. */
  typing: () => void;
  /**
   * For a turn started before its item's write ran (runtime.ts, `runEarly`): settles once the
   * intake answered its client. Outputs are published only then (the answer precedes every push),
   * and an output that needs its origin as text (a pushback) waits for it.
   */
  answered?: Promise<void>;
}

export interface ContextHandle {
  ctx: BotContext;
  /** Refuses further calls (the handler is done). */
  seal(): void;
  /** Whether an output of this call failed to be stored (known once its batch settled). */
  failed(): boolean;
}

/** Outputs one handler call may produce; a runaway loop in a bot must not fill the log. */
export const MAX_OUTPUTS_PER_CALL = 500;

function checkText(name: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  if (value.length > max) throw new TypeError(`${name} must be at most ${max} characters`);
  return value;
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
  // Read when logged: a turn that started before its item's write ran learns the id later.
  const log = () => ({ chatId: chat.id, itemId: item.id, endpoint: endpoint.endpoint });
  let sealed = false;
  let ordinal = 0;
  let failed = false;
  /** The newest output requested: ctx.typing() waits for it to be published. */
  let lastOutput: Promise<unknown> = Promise.resolve();

  // Starts `op` now: its writes join the turn's group commit behind every earlier output.
  const enqueue = <T>(what: string, op: (origin: () => string) => Promise<T>): Promise<T> => {
    if (ordinal >= MAX_OUTPUTS_PER_CALL) {
      throw new RangeError(`a handler call may send at most ${MAX_OUTPUTS_PER_CALL} outputs`);
    }
    const n = ++ordinal;
    // Read when the write runs, which is after the item's own write (see runtime.ts, runEarly).
    const origin = (): string => {
      if (item.id === 0) throw new Error('the item of this turn was not stored');
      return `${item.id}:${n}`;
    };
    let result: Promise<T>;
    try {
      result = op(origin);
    } catch (error) {
      result = Promise.reject(error);
    }
    // Directly on the write's promise: the flag is set before the next batch can run the done mark.
    result.then(undefined, (error: unknown) => {
      // Only a batch that failed as a whole makes the turn run again; a bot's own mistake (a
      // pushback for a foreign chat) is logged and the turn goes on, as it always did.
      if (error instanceof CommitError) failed = true;
      logger.error('bot output failed', { ...log(), what, ...errorFields(error) });
    });
    lastOutput = result;
    return handled(result);
  };

  const refuse = (what: string): boolean => {
    if (sealed) logger.warn('bot called ctx after its handler finished; ignored', { ...log(), what });
    return sealed;
  };

  // Resolves once queued: the push is stored and published with the turn's commit.
  const append = (what: string, build: PushBuilder): Promise<void> => {
    void enqueue(what, (origin) => deps.chats.append(chat.id, build, origin, deps.answered));
    return Promise.resolve();
  };

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
      // Its origin is stored as text: an early turn's item must have been stored first.
      await deps.answered;
      const target = chatId === chat.id ? chat : await deps.store.getChat(chatId);
      if (!target || target.endpoint !== endpoint.endpoint) throw new Error(`chatId '${chatId}' is not a chat of this bot`);
      const input = { channelType: 'chatwidget', botId: endpoint.endpoint, chatId, event: name, eventData: data };
      return deps.pushbacks.create(input, origin());
    });
  };

  const ctx: BotContext = {
    say(text: string, options?: SayOptions): Promise<void> {
      const body = checkText('text', text, Limits.textChars);
      // Quick replies, buttons, an image, cards: checked field by field (rich.ts).
      const { quickReplies, rich } = parseSayOptions(options);
      if (refuse('say')) return Promise.resolve();
      return append('say', messagePush(chat.id, { id: randomUUID(), author: 'bot', text: body, quickReplies, rich }));
    },
    notifyHost: notify,
    typing(): void {
      // Ephemeral (not stored): the indicator the runtime shows while a handler runs, again,
      // for a handler that keeps working after it said something.
      // After what the bot said so far is shown: a message arriving hides the indicator.
      if (!refuse('typing')) void lastOutput.then(deps.typing, deps.typing);
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
      // Queued behind the outputs already requested: a `say` before the handoff reaches the visitor first.
      return enqueue('handoff', async () => deps.handoff?.handoff(chat.id, why));
    },
    request: deps.request,
    state: copyJson(chat.state),
    lastRequest: deps.lastRequest === undefined ? undefined : copyJson(deps.lastRequest),
  };

  return {
    ctx,
    seal() {
      sealed = true;
    },
    failed: () => failed,
  };
}
