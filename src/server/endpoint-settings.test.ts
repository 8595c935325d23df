/** Endpoint titles and subtitles per language: from the config file to the settings a widget gets at login. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from './config';
import { EndpointRegistry } from './endpoints';
import { endpoint, startServer, type TestServer } from './test/harness';

const base = { organization: 'acme', endpoint: 'acme-demo', bot: './bot.mjs', allowedOrigins: [] };
const parse = (extra: Record<string, unknown>) => parseConfig({ endpoints: [{ ...base, ...extra }] });

describe('config: title and subtitle', () => {
  it('are a string, or an object of strings by language tag', () => {
    const parsed = parse({ title: { en: 'Help', es: 'Ayuda', 'pt-BR': 'Ajuda' }, subtitle: 'Fast' });
    expect(parsed.ok && parsed.value.endpoints[0]).toMatchObject({ title: { en: 'Help', es: 'Ayuda', 'pt-BR': 'Ajuda' }, subtitle: 'Fast' });
  });

  it.each([
    ['a number', { title: 7 }, 'title'],
    ['an empty object', { title: {} }, 'title'],
    ['a non-string translation', { subtitle: { en: 'ok', es: 1 } }, 'subtitle'],
    ['a key that is no language tag', { title: { 'en gb': 'x' } }, 'title'],
  ])('refuses %s, naming the field', (_what, extra, key) => {
    expect(parse(extra)).toEqual({
      ok: false,
      error: `config: endpoints[0].${key} must be a string or an object of strings by language tag, like {"en": "Help", "es": "Ayuda"}`,
    });
  });
});

describe('settings delivered to the widget', () => {
  const registry = (extra: Record<string, unknown>) => new EndpointRegistry([{ ...endpoint({}), ...extra }]).get('acme-test')!.settings;

  it('carry translations as maps, with the English (else the first) text as the plain title', () => {
    expect(registry({ title: { es: 'Ayuda', en: 'Help' }, subtitle: { fr: 'Rapide', de: 'Schnell' } })).toEqual({
      title: 'Help',
      subtitle: 'Rapide',
      titles: { es: 'Ayuda', en: 'Help' },
      subtitles: { fr: 'Rapide', de: 'Schnell' },
      theme: {},
    });
    expect(registry({ title: 'Acme', theme: { primary: '#000' } })).toEqual({ title: 'Acme', theme: { primary: '#000' } });
    expect(registry({})).toEqual({ title: 'Chat', theme: {} });
  });

  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('reach the widget in the login response', async () => {
    const bot = {};
    t = await startServer(bot, { endpoints: [endpoint(bot, { title: { en: 'Help', ar: 'مساعدة' }, theme: { headerBg: '#111' } })] });
    const c = await t.connect();
    expect((await c.call('login')).settings).toEqual({ title: 'Help', titles: { en: 'Help', ar: 'مساعدة' }, theme: { headerBg: '#111' } });
  });
});
