import { describe, expect, it } from 'vitest';
import { LANGUAGES, pickLanguage, resolveStrings, type UiStrings } from './strings';

describe('resolveStrings', () => {
  it('has the contract names in English', () => {
    const en = resolveStrings('en');
    expect([en.openChat, en.closeChat, en.message, en.send]).toEqual(['Open chat', 'Close chat', 'Message', 'Send']);
  });

  it('offers English, Spanish, French, German and Arabic, each complete', () => {
    expect(LANGUAGES).toEqual(['en', 'es', 'fr', 'de', 'ar']);
    const keys = Object.keys(resolveStrings('en')).sort();
    for (const lang of LANGUAGES) {
      const strings = resolveStrings(lang);
      expect(Object.keys(strings).sort()).toEqual(keys);
      expect(Object.values(strings).every((value) => value !== '')).toBe(true);
    }
  });

  it('translates the accessible names', () => {
    const names = (s: UiStrings) => [s.openChat, s.closeChat, s.message, s.send];
    expect(names(resolveStrings('es'))).toEqual(['Abrir chat', 'Cerrar chat', 'Mensaje', 'Enviar']);
    expect(names(resolveStrings('fr'))).toEqual(['Ouvrir le chat', 'Fermer le chat', 'Message', 'Envoyer']);
    expect(names(resolveStrings('de'))).toEqual(['Chat öffnen', 'Chat schließen', 'Nachricht', 'Senden']);
    expect(names(resolveStrings('ar'))).toEqual(['فتح المحادثة', 'إغلاق المحادثة', 'رسالة', 'إرسال']);
  });

  it('uses the base language of a regional tag, and English for a language it lacks', () => {
    expect(resolveStrings('es-MX').send).toBe('Enviar');
    expect(resolveStrings('DE-at').send).toBe('Senden');
    expect(resolveStrings('ja-JP')).toEqual(resolveStrings('en'));
  });

  it('falls back to English key by key where a table leaves a value empty', () => {
    expect(resolveStrings('es').defaultTitle).toBe('Chat');
    expect(resolveStrings('de').botSaid).toBe('Bot:');
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
