/**
 * The public types of the host-page API (README.md, "The widget"). A change here is a change to the
 * contract: the surface test (surface.test.ts) pins the names.
 */

/** Options of `ServisBot.init` as the host page passes them. Only `organization` and `endpoint` are required. */
export interface MessengerOptions {
  /** Organization code. */
  organization: string;
  /** Endpoint (bot deployment) name. */
  endpoint: string;
  /** Where the backend is (http or https). Default: the origin of messenger.js's own `src`. */
  serverUrl?: string;
  /** Sent to the bot when a conversation starts (`payload.user.context`). Default `{}`. */
  context?: Record<string, unknown>;
  /** CSS selector of an element to render into instead of floating; no roundel, always open. */
  container?: string;
  /** Permanently open, no roundel. Default false. */
  alwaysOpen?: boolean;
  /** Show the roundel. Default true. */
  displayRoundel?: boolean;
  /** Show the header. Default true. */
  displayHeader?: boolean;
  /** Start with the text input disabled. Default false. */
  textInputDisabled?: boolean;
  /** UI language (BCP 47: `en`, `es`, `fr`, `de`, `ar` have strings; others fall back to English). Default: the browser's language. */
  lang?: string;
  /** Text direction. Default `'rtl'` for right-to-left languages (`ar`, `he`, `fa`, `ur`, ...), else `'ltr'`. */
  dir?: 'ltr' | 'rtl';
  /** Header title. Default: the endpoint's, in `lang` when the endpoint translates it. */
  title?: string;
  /** Colours, font and radius as CSS values, merged over the endpoint's theme. */
  theme?: MessengerTheme;
  /** Start a new conversation instead of resuming the stored one. Default false. */
  resetOnLoad?: boolean;
  /** Log to the console with a `[ServisBot]` prefix. Default false. */
  debug?: boolean;
  /**
   * A verified visitor: `hash` is the lowercase hex HMAC-SHA256 of `id` keyed with the endpoint's
   * `identitySecret`, computed by the site's backend. Every browser with the same `id` shares one
   * chat. A hash the server refuses starts nothing: the widget says it cannot connect. Default none.
   */
  user?: { id: string; hash: string; name?: string; email?: string };
  /**
   * The page's CSP nonce for styles. Only used where constructable stylesheets are missing (they
   * pass any policy): the widget's CSS then goes into a `<style nonce>` in its shadow root, which a
   * `style-src 'nonce-…'` policy allows. Default: none.
   */
  nonce?: string;
}

/**
 * Theme keys (CSS values), as ServisBOT's endpoint styles: header, roundel, inbound (bot) and
 * outbound (visitor) messages. Each becomes a `--rd-*` custom property in the widget's shadow root.
 */
export interface MessengerTheme {
  /** Buttons, the roundel, the header and visitor bubbles unless set below. Default `#2563eb`. */
  primary?: string;
  /** Text and icons on `primary`. Default `#fff`. */
  onPrimary?: string;
  /** Quick-reply text and focus rings on the panel background. Default `primary` (light), `#93c5fd` (dark). */
  accent?: string;
  headerBg?: string;
  headerText?: string;
  roundelBg?: string;
  roundelText?: string;
  /** Inbound (bot) message bubbles. */
  botBg?: string;
  botText?: string;
  /** Outbound (visitor) message bubbles. */
  visitorBg?: string;
  visitorText?: string;
  /** Panel background and text. Defaults follow `prefers-color-scheme`. */
  background?: string;
  text?: string;
  /** A CSS font family list. */
  font?: string;
  /** Panel corner radius. Default `16px`. */
  radius?: string;
  [key: string]: string | undefined;
}

/** The payloads of the `Messenger` event. */
export type MessengerEvent =
  | { readonly type: 'ROUNDEL'; readonly value: 'Opened' | 'Closed' }
  | { readonly type: 'CONVERSATION'; readonly value: 'First User Interaction' }
  /** `conversationId` is the conversation's (thread's) id, new after `reset()`; `chatId` the visitor's chat, stable. */
  | { readonly type: 'CONVERSATION'; readonly value: 'Ready'; readonly conversationId: string; readonly chatId: string };

/** The payload of the `message` event: a message added to the transcript while the page is open. */
export interface HostMessage {
  /** The message's id (stable: the same message has the same id in every tab). */
  readonly id: string;
  /** Who wrote it: the bot, the visitor (a message or a picked reply), or an agent who took the chat over. */
  readonly author: 'bot' | 'visitor' | 'agent';
  /** Its text (for a picked reply or button, what the visitor picked). */
  readonly text: string;
  /** When the server stored it (ISO 8601). */
  readonly createdAt: string;
}

/** Host events by name, with their payloads. */
export type HostEvents = {
  /** A (public) host notification from the bot: a plain string. */
  notification: string;
  Messenger: MessengerEvent;
  /** A message was added to the transcript while the page is open (never for history shown at load). */
  message: HostMessage;
  /** The number of messages from the bot or agents the visitor has not seen changed (first after Ready, when it is not 0). */
  unread: number;
};

export type HostEventName = keyof HostEvents;

export type HostEventHandler<K extends HostEventName> = (payload: HostEvents[K]) => void;

/** The argument of `pageEvent`: an alias, or an alias with a body (`payload.user.context` for the bot). */
export type PageEventInput = string | { alias: string; body?: Record<string, unknown> };

/** What `ServisBot.init` returns. Methods never throw at runtime; only bad arguments throw a `TypeError`. */
export interface MessengerApi {
  /** Subscribes `handler` to `name`; returns the function that unsubscribes it. */
  on<K extends HostEventName>(name: K, handler: HostEventHandler<K>): () => void;
  /** Unsubscribes `handler`; without a handler, every handler of `name`. */
  off<K extends HostEventName>(name: K, handler?: HostEventHandler<K>): void;
  /**
   * Sends a page event to the bot. Resolves when the server has accepted it; calls made before
   * the conversation is ready, or while offline, are queued and sent once.
   */
  pageEvent(aliasOrEvent: PageEventInput): Promise<void>;
  /** Opens the messenger (emits `ROUNDEL Opened` when it was closed). No-op with `alwaysOpen`/`container`. */
  open(): void;
  /** Closes the messenger (emits `ROUNDEL Closed` when it was open). No-op with `alwaysOpen`/`container`. */
  close(): void;
  /** Opens when closed, closes when open. */
  toggle(): void;
  /** Shows the whole widget again after `hide()` (its open or closed state unchanged). */
  show(): void;
  /** Hides the whole widget, roundel included; the conversation goes on (messages arrive, `unread` counts them). */
  hide(): void;
  /** Ends this conversation and starts a new one; resolves once it has begun. */
  reset(): Promise<void>;
  /** Replaces the context sent to the bot; resolves once the server has it. */
  rewriteContext(context: Record<string, unknown>): Promise<void>;
  /** Removes every DOM node, listener, timer and socket the widget made. Idempotent. */
  destroy(): void;
}
