import { describe, expect, it } from 'vitest';
import { ENGLISH, TRANSLATED, parseUiStrings, pickLanguage, uiLanguages, uiTranslation, type UiStrings } from './ui-strings';

const names = (s: UiStrings | undefined) => s && [s.openChat, s.closeChat, s.message, s.send];

describe('UI string tables', () => {
  it('has the contract names in English', () => {
    expect(names(ENGLISH)).toEqual(['Open chat', 'Close chat', 'Message', 'Send']);
  });

  it('offers English, Spanish, French, German and Arabic, each complete', () => {
    expect(uiLanguages()).toEqual(['en', 'es', 'fr', 'de', 'ar']);
    expect(['en', ...TRANSLATED]).toEqual(uiLanguages());
    for (const lang of uiLanguages().slice(1)) {
      const table = uiTranslation(lang)!;
      expect(Object.keys(table)).toEqual(Object.keys(ENGLISH));
      expect(Object.values(table).every((value) => value !== '')).toBe(true);
      // The last value is translated in every table: a missing or extra `|` would shift it.
      const last = Object.keys(ENGLISH).at(-1) as keyof UiStrings;
      expect(table[last]).not.toBe(ENGLISH[last]);
      expect(table.unread).not.toBe(ENGLISH.unread);
    }
  });

  it('translates the accessible names', () => {
    expect(names(uiTranslation('es'))).toEqual(['Abrir chat', 'Cerrar chat', 'Mensaje', 'Enviar']);
    expect(names(uiTranslation('fr'))).toEqual(['Ouvrir le chat', 'Fermer le chat', 'Message', 'Envoyer']);
    expect(names(uiTranslation('de'))).toEqual(['Chat öffnen', 'Chat schließen', 'Nachricht', 'Senden']);
    expect(names(uiTranslation('ar'))).toEqual(['فتح المحادثة', 'إغلاق المحادثة', 'رسالة', 'إرسال']);
  });

  it('uses the base language of a regional tag, and has no table for English or a language it lacks', () => {
    expect(uiTranslation('es-MX')?.send).toBe('Enviar');
    expect(uiTranslation('DE-at')?.send).toBe('Senden');
    expect(uiTranslation('en')).toBeUndefined();
    expect(uiTranslation('ja-JP')).toBeUndefined();
    expect(uiTranslation('constructor')).toBeUndefined();
    expect(uiTranslation('__proto__')).toBeUndefined();
  });

  it('falls back to English key by key where a table leaves a value empty', () => {
    expect(uiTranslation('es')?.defaultTitle).toBe('Chat');
    expect(uiTranslation('de')?.botSaid).toBe('Bot:');
  });
});

describe('parseUiStrings', () => {
  it('keeps the known keys with non-empty strings of at most 200 characters, completing from English', () => {
    const parsed = parseUiStrings({ send: 'Enviar', message: 42, openChat: '', closeChat: 'x'.repeat(201), evil: 'y', unread: 'Sin leer:' });
    expect(parsed).toEqual({ ...ENGLISH, send: 'Enviar', unread: 'Sin leer:' });
  });

  it('is English for anything but an object, and ignores inherited keys', () => {
    expect(parseUiStrings(null)).toEqual(ENGLISH);
    expect(parseUiStrings(['Enviar'])).toEqual(ENGLISH);
    expect(parseUiStrings(Object.create({ send: 'Enviar' }))).toEqual(ENGLISH);
    expect(parseUiStrings(JSON.parse('{"__proto__": {"send": "x"}}'))).toEqual(ENGLISH);
  });
});

describe('pickLanguage', () => {
  it('prefers the exact tag, then the base language, case-insensitively', () => {
    const titles = { en: 'Help', 'pt-BR': 'Ajuda (BR)', pt: 'Ajuda' };
    expect(pickLanguage(titles, 'pt-br')).toBe('Ajuda (BR)');
    expect(pickLanguage(titles, 'pt-PT')).toBe('Ajuda');
    expect(pickLanguage(titles, 'EN-GB')).toBe('Help');
    expect(pickLanguage(titles, 'fr')).toBeUndefined();
    expect(pickLanguage(undefined, 'en')).toBeUndefined();
  });
});
