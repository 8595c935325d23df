/** Size limits shared by the widget (to refuse early) and the server (to enforce). */
export const Limits = {
  /** Largest websocket frame the server accepts, in bytes (`ws` maxPayload). */
  frameBytes: 64 * 1024,
  /** Longest visitor or bot message text, in characters. */
  textChars: 4000,
  /** Most quick replies on one bot message. */
  quickReplies: 10,
  /** Longest quick reply label, in characters. */
  quickReplyChars: 200,
  /** Largest context / page-event body, as serialised JSON characters. */
  contextChars: 16 * 1024,
  /** Longest page-event alias, event name or custom id. */
  nameChars: 200,
  /** Longest host notification. */
  notificationChars: 2000,
  /**
   * Deepest nesting of arrays and objects in any JSON value (a context, a body, event data, bot
   * state). Far more than real data needs; deep enough values would overflow the stack of
   * `JSON.stringify` (about 4000 levels in Node) wherever they are serialised later.
   */
  jsonDepth: 32,
} as const;
