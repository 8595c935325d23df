/**
 * UI strings, one table per language. Accessible names in the English table are part of the
 * public contract (CONTRACT.md §3): tests and screen readers find the widget by them; the other
 * tables translate them. To add a language, add a packed table to {@link PACKED}.
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
  /** Accessible name of the send button. */
  send: string;
  /** State of a visitor message the server has not accepted yet. */
  sending: string;
  /** State of a visitor message the server has stored. */
  sent: string;
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
  /** The button that scrolls down to messages that arrived while the visitor read older ones. */
  newMessages: string;
  /** Read before the unread count on the roundel ("Unread messages: 2"). */
  unread: string;
}

/** The keys in the order of the packed tables below. */
const KEYS: readonly (keyof UiStrings)[] = [
  'openChat',
  'closeChat',
  'defaultTitle',
  'transcript',
  'message',
  'send',
  'sending',
  'sent',
  'quickReplies',
  'typing',
  'reconnecting',
  'conversationEnded',
  'botSaid',
  'youSaid',
  'newMessages',
  'unread',
];

/**
 * The tables by BCP 47 language tag (lower case), packed to keep the bundle small: one string
 * per language, the values in {@link KEYS} order separated by `|`; an empty value falls back to
 * English (strings.test.ts checks every table). English is the fallback.
 */
const PACKED: Readonly<Record<string, string>> = {
  en: 'Open chat|Close chat|Chat|Conversation|Message|Send|Sending…|Sent|Quick replies|Typing…|Reconnecting…|Conversation ended|Bot:|You:|New messages|Unread messages:',
  es: 'Abrir chat|Cerrar chat||Conversación|Mensaje|Enviar|Enviando…|Enviado|Respuestas rápidas|Escribiendo…|Reconectando…|Conversación finalizada||Tú:|Mensajes nuevos|Mensajes sin leer:',
  fr: 'Ouvrir le chat|Fermer le chat|||Message|Envoyer|Envoi…|Envoyé|Réponses rapides|Écrit…|Reconnexion…|Conversation terminée|Bot :|Vous :|Nouveaux messages|Messages non lus :',
  de: 'Chat öffnen|Chat schließen||Unterhaltung|Nachricht|Senden|Wird gesendet…|Gesendet|Schnellantworten|Schreibt…|Verbindung wird wiederhergestellt…|Unterhaltung beendet||Sie:|Neue Nachrichten|Ungelesene Nachrichten:',
  ar: 'فتح المحادثة|إغلاق المحادثة|محادثة|المحادثة|رسالة|إرسال|جارٍ الإرسال…|تم الإرسال|ردود سريعة|يكتب…|جارٍ إعادة الاتصال…|انتهت المحادثة|الروبوت:|أنت:|رسائل جديدة|رسائل غير مقروءة:',
};

/** The languages with UI strings. */
export const LANGUAGES: readonly string[] = Object.keys(PACKED);

/** The table of one packed language: only its non-empty values. */
function unpack(packed: string | undefined): Partial<UiStrings> {
  const table: Partial<UiStrings> = {};
  packed?.split('|').forEach((value, index) => {
    const key = KEYS[index];
    if (key && value) table[key] = value;
  });
  return table;
}

/**
 * The entry of `map` for `lang`: the exact tag (`pt-br`), then its base language (`pt`), case
 * insensitively; `undefined` when neither is there. Also picks endpoint titles by language.
 */
export function pickLanguage<T>(map: Readonly<Record<string, T>> | undefined, lang: string): T | undefined {
  if (!map) return undefined;
  const tag = lang.toLowerCase();
  const byTag = new Map(Object.entries(map).map(([key, value]) => [key.toLowerCase(), value]));
  return byTag.get(tag) ?? byTag.get(tag.split('-')[0] ?? tag);
}

/** The strings for `lang` ({@link pickLanguage}), completed key by key from English. */
export function resolveStrings(lang: string): UiStrings {
  return { ...unpack(PACKED.en), ...unpack(pickLanguage(PACKED, lang)) } as UiStrings;
}
