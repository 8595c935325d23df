/**
 * UI strings, one table per language. Accessible names in the English table are part of the
 * public contract (CONTRACT.md §3): tests and screen readers find the widget by them.
 * To add a language, add a table to {@link STRINGS}; missing keys fall back to English.
 */
export interface UiStrings {
  /** The roundel's accessible name while the messenger is closed. */
  openChat: string;
  /** The roundel's accessible name while the messenger is open. */
  closeChat: string;
  /** Title shown until the endpoint's settings arrive (and when it has none). */
  defaultTitle: string;
  /** Accessible name of the transcript (`role="log"`). */
  transcript: string;
  /** Accessible name of the composer's textbox. */
  message: string;
  /** Placeholder of the composer's textbox. */
  messagePlaceholder: string;
  /** Accessible name of the send button. */
  send: string;
  /** Label of a visitor message the server has not accepted yet. */
  sending: string;
  /** Accessible name of the group of quick-reply buttons. */
  quickReplies: string;
  /** Announced while the bot is typing. */
  typing: string;
  /** Banner shown while the connection is being re-established. */
  reconnecting: string;
  /** Divider shown where the bot ended the conversation. */
  conversationEnded: string;
  /** Prefix read before a bot message by screen readers. */
  botSaid: string;
  /** Prefix read before a visitor message by screen readers. */
  youSaid: string;
}

const en: UiStrings = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  defaultTitle: 'Chat',
  transcript: 'Conversation',
  message: 'Message',
  messagePlaceholder: 'Type a message…',
  send: 'Send',
  sending: 'Sending…',
  quickReplies: 'Quick replies',
  typing: 'Typing…',
  reconnecting: 'Reconnecting…',
  conversationEnded: 'Conversation ended',
  botSaid: 'Bot:',
  youSaid: 'You:',
};

/** The tables by BCP 47 language tag (lower case). English is the fallback. */
export const STRINGS: Readonly<Record<string, Partial<UiStrings>>> = { en };

/**
 * The strings for `lang`: the exact tag (`pt-br`), then its base language (`pt`), then English,
 * key by key, so a partial table still yields a complete one.
 */
export function resolveStrings(lang: string): UiStrings {
  const tag = lang.toLowerCase();
  const base = tag.split('-')[0] ?? tag;
  return { ...en, ...STRINGS[base], ...STRINGS[tag] };
}
