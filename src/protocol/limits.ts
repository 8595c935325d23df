/**
 * Size limits shared by the widget (to refuse early) and the server (to enforce). Each is also its
 * own export: the widget imports those, so the bundle inlines the numbers and leaves out the
 * server-only ones and the {@link Limits} table.
 */

/** Longest visitor or bot message text, in characters. */
export const TEXT_CHARS = 4000;
/** Longest quick reply label, in characters. */
export const QUICK_REPLY_CHARS = 200;
/** Largest context / page-event body, as serialised JSON characters. */
export const CONTEXT_CHARS = 16 * 1024;
/** Longest page-event alias, event name or custom id. */
export const NAME_CHARS = 200;
/**
 * Deepest nesting of arrays and objects in any JSON value (a context, a body, event data, bot
 * state). Far more than real data needs; deep enough values would overflow the stack of
 * `JSON.stringify` (about 4000 levels in Node) wherever they are serialised later.
 */
export const JSON_DEPTH = 32;

/** Largest file a visitor may send, in bytes: 10 MiB (LiveChat's limit). */
export const FILE_BYTES = 10 * 1024 * 1024;

/** Every limit in one table (the server's view). */
export const Limits = {
  /** Largest websocket frame the server accepts, in bytes (`ws` maxPayload). */
  frameBytes: 64 * 1024,
  /** Longest visitor or bot message text, in characters. */
  textChars: TEXT_CHARS,
  /** Most quick replies on one bot message. */
  quickReplies: 10,
  /** Longest quick reply label, in characters. */
  quickReplyChars: QUICK_REPLY_CHARS,
  /** Largest context / page-event body, as serialised JSON characters. */
  contextChars: CONTEXT_CHARS,
  /** Longest page-event alias, event name or custom id. */
  nameChars: NAME_CHARS,
  /** Longest host notification. */
  notificationChars: 2000,
  /** Deepest nesting of arrays and objects in any JSON value ({@link JSON_DEPTH}). */
  jsonDepth: JSON_DEPTH,
  /** Largest visitor file, in bytes ({@link FILE_BYTES}). */
  fileBytes: FILE_BYTES,
  /** Longest page URL, title or referrer a widget reports (`update_customer_page`). */
  pageUrlChars: 2048,
} as const;
