/**
 * The widget's UI strings. English is built into the widget; the other languages are served by
 * the server at `GET /i18n/{lang}.json` (docs/protocol.md) and fetched only by widgets whose
 * `lang` needs them, so every host page does not download every language. Accessible names in
 * the English table are part of the public contract (README.md, "The widget"): tests and screen readers
 * find the widget by them; the other tables translate them. To add a language, add a packed
 * table to {@link TRANSLATIONS} and its tag to {@link TRANSLATED}.
 */
import { isObject } from './result';

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
  /** Transcript line when an agent joins; `{name}` is the agent's name. */
  agentJoined: string;
  /** Transcript line when an agent leaves; `{name}` is the agent's name. */
  agentLeft: string;
  /** Transcript line after the bot handed the chat to people (`ctx.handoff()`). */
  handoffQueued: string;
  /** Accessible name of a message's list of cards (a carousel when there are several). */
  cards: string;
  /** Banner shown when the widget gave up connecting (a visitor identity the server refused). */
  cannotConnect: string;
  /** Accessible name of a carousel's button that scrolls back one card. */
  previousCard: string;
  /** Accessible name of a carousel's button that scrolls on one card. */
  nextCard: string;
  /** Shown while an agent types; `{name}` is the agent's name. */
  agentTyping: string;
  /** Accessible name of the composer's button that picks a file to send. */
  attachFile: string;
  /** A file over the size limit; `{name}` is the file's name, `{size}` the limit ("10 MB"). */
  fileTooLarge: string;
  /** A file of a kind the server does not take; `{name}` is the file's name. */
  fileTypeRefused: string;
  /** A file that could not be sent for another reason; `{name}` is the file's name. */
  fileRefused: string;
}

/** The English strings of the roundel: all the first load of the widget needs (the panel's come with it). */
export const ROUNDEL_ENGLISH = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  unread: 'Unread messages:',
} as const satisfies Partial<UiStrings>;

/** The strings the widget is built with, and the fallback of every other table, key by key. */
// Object.assign, not a spread: a call the widget's bundler is told is pure (vite.config.ts), so the
// first load, which needs only ROUNDEL_ENGLISH, does not keep the rest.
export const ENGLISH: Readonly<UiStrings> = Object.assign({}, ROUNDEL_ENGLISH, {
  defaultTitle: 'Chat',
  transcript: 'Conversation',
  message: 'Message',
  send: 'Send',
  sending: 'Sending…',
  sent: 'Sent',
  quickReplies: 'Quick replies',
  typing: 'Typing…',
  reconnecting: 'Reconnecting…',
  conversationEnded: 'Conversation ended',
  botSaid: 'Bot:',
  youSaid: 'You:',
  newMessages: 'New messages',
  agentJoined: '{name} joined',
  agentLeft: '{name} left',
  handoffQueued: 'A person will join the chat shortly.',
  cards: 'Cards',
  cannotConnect: 'Cannot connect to the chat.',
  previousCard: 'Previous card',
  nextCard: 'Next card',
  agentTyping: '{name} is typing…',
  attachFile: 'Attach file',
  fileTooLarge: '“{name}” is too large: files can be at most {size}.',
  fileTypeRefused: '“{name}” cannot be sent: images, PDF, zip and text files can.',
  fileRefused: '“{name}” could not be sent. Please try again.',
});

/** Longest string a served table may hold (the longest translation is under 40 characters). */
const MAX_STRING_CHARS = 200;

/**
 * The translations by BCP 47 language tag (lower case), packed: one string per language, the
 * values in {@link ENGLISH}'s key order separated by `|`; an empty value falls back to English
 * (ui-strings.test.ts checks every table). Only the server reads these.
 */
const TRANSLATIONS: Readonly<Record<string, string>> = {
  es: 'Abrir chat|Cerrar chat|Mensajes sin leer:||Conversación|Mensaje|Enviar|Enviando…|Enviado|Respuestas rápidas|Escribiendo…|Reconectando…|Conversación finalizada||Tú:|Mensajes nuevos|{name} se unió|{name} salió|Una persona se unirá al chat en breve.|Tarjetas|No se puede conectar al chat.|Tarjeta anterior|Tarjeta siguiente|{name} está escribiendo…|Adjuntar archivo|«{name}» es demasiado grande: los archivos pueden tener como máximo {size}.|«{name}» no se puede enviar: se admiten imágenes, PDF, zip y texto.|No se pudo enviar «{name}». Inténtalo de nuevo.',
  fr: 'Ouvrir le chat|Fermer le chat|Messages non lus :|||Message|Envoyer|Envoi…|Envoyé|Réponses rapides|Écrit…|Reconnexion…|Conversation terminée|Bot :|Vous :|Nouveaux messages|{name} a rejoint la conversation|{name} a quitté la conversation|Une personne va bientôt rejoindre la conversation.|Cartes|Impossible de se connecter au chat.|Carte précédente|Carte suivante|{name} écrit…|Joindre un fichier|« {name} » est trop volumineux : {size} au maximum.|« {name} » ne peut pas être envoyé : images, PDF, zip et texte uniquement.|« {name} » n’a pas pu être envoyé. Veuillez réessayer.',
  de: 'Chat öffnen|Chat schließen|Ungelesene Nachrichten:||Unterhaltung|Nachricht|Senden|Wird gesendet…|Gesendet|Schnellantworten|Schreibt…|Verbindung wird wiederhergestellt…|Unterhaltung beendet||Sie:|Neue Nachrichten|{name} ist beigetreten|{name} hat den Chat verlassen|Gleich übernimmt eine Person den Chat.|Karten|Keine Verbindung zum Chat möglich.|Vorherige Karte|Nächste Karte|{name} schreibt…|Datei anhängen|„{name}“ ist zu groß: Dateien dürfen höchstens {size} groß sein.|„{name}“ kann nicht gesendet werden: Bilder, PDF, ZIP und Text sind möglich.|„{name}“ konnte nicht gesendet werden. Bitte erneut versuchen.',
  ar: 'فتح المحادثة|إغلاق المحادثة|رسائل غير مقروءة:|محادثة|المحادثة|رسالة|إرسال|جارٍ الإرسال…|تم الإرسال|ردود سريعة|يكتب…|جارٍ إعادة الاتصال…|انتهت المحادثة|الروبوت:|أنت:|رسائل جديدة|انضم {name}|غادر {name}|سينضم شخص إلى المحادثة قريبًا.|بطاقات|تعذّر الاتصال بالمحادثة.|البطاقة السابقة|البطاقة التالية|{name} يكتب…|إرفاق ملف|«{name}» كبير جدًا: الحد الأقصى لحجم الملف {size}.|لا يمكن إرسال «{name}»: يمكن إرسال الصور وملفات PDF وzip والنصوص.|تعذّر إرسال «{name}». يُرجى المحاولة مرة أخرى.',
};

/**
 * The languages with a table in {@link TRANSLATIONS} (ui-strings.test.ts keeps the two equal): the
 * widget asks the server only for these, so a page in any other language makes no request.
 */
export const TRANSLATED: readonly string[] = ['es', 'fr', 'de', 'ar'];

/** The languages with UI strings: English and the translations. */
export function uiLanguages(): string[] {
  return ['en', ...Object.keys(TRANSLATIONS)];
}

/**
 * The entry of `map` for `lang`: the exact tag (`pt-br`), then its base language (`pt`), case
 * insensitively; `undefined` when neither is there. Picks UI tables and endpoint titles by language.
 */
export function pickLanguage<T>(map: Readonly<Record<string, T>> | undefined, lang: string): T | undefined {
  if (!map) return undefined;
  const tag = lang.toLowerCase();
  const byTag = new Map(Object.entries(map).map(([key, value]) => [key.toLowerCase(), value]));
  return byTag.get(tag) ?? byTag.get(tag.split('-')[0] ?? tag);
}

/**
 * The table the server serves for `lang` ({@link pickLanguage}), completed from English;
 * `undefined` for a language without a translation (the widget then stays in English).
 */
export function uiTranslation(lang: string): UiStrings | undefined {
  const values = pickLanguage(TRANSLATIONS, lang)?.split('|');
  if (!values) return undefined;
  const table = { ...ENGLISH };
  (Object.keys(ENGLISH) as (keyof UiStrings)[]).forEach((key, i) => {
    if (values[i]) table[key] = values[i];
  });
  return table;
}

/**
 * A served table, parsed from `unknown` (the widget fetched it from the server): the known keys
 * whose values are non-empty strings of at most 200 characters; everything else is dropped, and what is
 * missing falls back to English.
 */
export function parseUiStrings(raw: unknown): UiStrings {
  const table = { ...ENGLISH };
  if (!isObject(raw)) return table;
  for (const key of Object.keys(ENGLISH) as (keyof UiStrings)[]) {
    const value = Object.hasOwn(raw, key) ? raw[key] : undefined;
    if (typeof value === 'string' && value !== '' && value.length <= MAX_STRING_CHARS) table[key] = value;
  }
  return table;
}
