/**
 * The bot API (README.md, "Bots"). Bots are plain ES modules whose default export has any of the
 * handlers below; every handler may be async. Handlers of one chat run one at a time, in
 * arrival order; a handler that throws or runs past its time limit is logged and the chat goes on.
 */
import type { JsonObject } from '../../protocol';

/** A pushback (docs/http-api.md, "Pushbacks"): a capability URL that raises `event` in one chat. */
export interface Pushback {
  channelType: string;
  botId: string;
  chatId: string;
  event: string;
  eventData: JsonObject;
  /** A random UUID v4. */
  id: string;
  /** `{publicUrl}/pushgate/push_{id}`: GET or POST it to activate the pushback. */
  link: string;
  /** ISO-8601 creation time. */
  created: string;
}

export interface SayOptions {
  /** Buttons offered under the message; picking one sends its text as the visitor's message. */
  quickReplies?: string[];
  /** Buttons under the message: `url` ones open a link, `postback` ones answer like a quick reply (onMessage gets the postback, the transcript shows the title). */
  buttons?: SayButton[];
  /** An image shown with the message. */
  image?: SayImage;
  /** Cards; several form a carousel. */
  cards?: { title: string; subtitle?: string; image?: SayImage; buttons?: SayButton[] }[];
}

/** A `say` button: a link (http or https) or a postback. */
export type SayButton = { title: string; url: string } | { title: string; postback: string };

/** A `say` image: an http(s) URL and its text alternative. */
export interface SayImage {
  url: string;
  alt: string;
}

export type BotRequestType = 'start' | 'message' | 'file' | 'event' | 'page_event';

/** A file the visitor sent, as `onFile` gets it. */
export interface BotFile {
  /** The file's id (a UUID). */
  id: string;
  /** The name the visitor's browser gave it. */
  name: string;
  /** Sniffed from the bytes by the server: `image/png`, `image/jpeg`, `image/gif`, `image/webp`, `application/pdf`, `application/zip` or `text/plain; charset=utf-8`. */
  contentType: string;
  /** Bytes (at most 10 MiB). */
  size: number;
  /** A signed URL that fetches the file without other credentials until it expires (24 hours by default). */
  url: string;
}

/** What started this handler call (the seed's `$request`). */
export interface BotRequest {
  channelType: 'chatwidget';
  /** The endpoint name. */
  botId: string;
  /** The visitor's id: the chat's stable id, equal to `chatId`. */
  channelUserId: string;
  /** The chat (stable across conversations). */
  chatId: string;
  /** The current conversation (thread) of the chat. */
  threadId: string;
  type: BotRequestType;
  /** The visitor's text (`message`), or the file's name (`file`). */
  text?: string;
  /** The event name (`event`) or page-event alias (`page_event`). */
  event?: string;
  /** The verified visitor (README.md, "The widget": `user`); absent for an anonymous chat. */
  user?: { id: string; name?: string; email?: string };
  rawRequest: { eventData?: JsonObject };
  /** `context` is the chat's context, or the page event's body for `page_event`. */
  payload: { user: { context: JsonObject } };
}

/** The seed's `$pushgate`: the five-argument form of pushback creation. */
export interface Pushgate {
  /** All five arguments are required (TypeError otherwise); `botId` must be this endpoint and `chatId` an existing chat of it. */
  createPushback(
    channelType: string,
    botId: string,
    chatId: string,
    event: string,
    eventData: JsonObject,
  ): Promise<Pushback>;
}

/**
 * What a handler gets. Output methods append to the chat at once (the visitor sees them while
 * the handler still runs): `say` and `notifyHost` resolve as soon as the output is queued, in
 * order, in the current group commit, and the push is shown once that commit is durable (an output
 * that cannot be stored is logged and the item runs again); invalid arguments throw a TypeError.
 * Calls made after the handler finished or timed out are logged and ignored.
 */
export interface BotContext {
  /** Sends a bot message: `text` non-empty, at most `Limits.textChars`; at most `Limits.quickReplies` replies. */
  say(text: string, options?: SayOptions): Promise<void>;
  /** Sends a host notification (the page's `notification` event); `SB:::` ones are private to the widget. */
  notifyHost(message: string): Promise<void>;
  /**
   * Shows the typing indicator again (an ephemeral push, not stored), after what the bot said so
   * far: the runtime shows it for a handler still running after 300 ms, and it hides when the bot
   * says something, so call this before more long work after a `say`. It hides when the next
   * message arrives or the handler ends.
   */
  typing(): void;
  /** `notifyHost('SB:::UserInputDisabled')`. */
  disableInput(): Promise<void>;
  /** `notifyHost('SB:::UserInputEnabled')`. */
  enableInput(): Promise<void>;
  /** Creates a pushback for this chat (it outlives the current thread). `eventData` defaults to `{}`. */
  createPushback(event: string, eventData?: JsonObject): Promise<Pushback>;
  readonly $pushgate: Pushgate;
  /**
   * Hands the chat to human agents (docs/agent-api.md): they are told (`chat_properties_updated`
   * with `routing`), the visitor sees that a person will join; while an agent is in the chat the
   * visitor's messages go to the agents, not to `onMessage`. `reason` (at most 200 characters)
   * is shown to agents only. Resolves once stored.
   */
  handoff(reason?: string): Promise<void>;
  readonly request: BotRequest;
  /** A plain JSON object persisted per chat (across its threads) after each handler call. */
  state: JsonObject;
  /**
   * Botmother's `last_request`: the `data` of the newest external event processed for this chat
   * (persisted), or undefined when none reached it.
   */
  readonly lastRequest: JsonObject | undefined;
}

/** The agent side as the runtime sees it. */
export interface HandoffPort {
  /** False while agents are in the chat: the visitor's messages are theirs. */
  botAnswers(chatId: string): Promise<boolean>;
  handoff(chatId: string, reason: string | undefined): Promise<void>;
}

/** A bot: every handler is optional and may return a promise. Return values are ignored. */
export interface Bot {
  onStart?(ctx: BotContext): unknown;
  onMessage?(ctx: BotContext, text: string): unknown;
  onEvent?(ctx: BotContext, event: string, eventData: JsonObject): unknown;
  onPageEvent?(ctx: BotContext, alias: string, context: JsonObject): unknown;
  /** The visitor sent a file; fetch `file.url` to read it. */
  onFile?(ctx: BotContext, file: BotFile): unknown;
}

export const BOT_HANDLERS = ['onStart', 'onMessage', 'onEvent', 'onPageEvent', 'onFile'] as const;
