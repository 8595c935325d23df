import { afterEach, describe, expect, it } from 'vitest';
import { ENGLISH, uiTranslation } from '../../protocol';
import { startServer, type TestServer } from '../test/harness';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

describe('GET /i18n/{lang}.json', () => {
  it("serves a language's UI strings to widgets on any origin", async () => {
    t = await startServer({});
    const res = await fetch(`${t.url}/i18n/es.json`, { headers: { Origin: 'https://shop.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const table = await res.json();
    expect(table).toEqual(uiTranslation('es'));
    expect(Object.keys(table)).toEqual(Object.keys(ENGLISH));
    expect(table.send).toBe('Enviar');
  });

  it('uses the base language of a regional tag', async () => {
    t = await startServer({});
    expect((await (await fetch(`${t.url}/i18n/ar-eg.json`)).json()).send).toBe('إرسال');
  });

  it.each(['/i18n/en.json', '/i18n/ja.json', '/i18n/constructor.json', '/i18n/es', '/i18n/e%2Fs.json'])('answers 404 for %s', async (path) => {
    t = await startServer({});
    const res = await fetch(`${t.url}${path}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.type).toBe('not_found');
  });

  it('refuses other methods than GET and HEAD', async () => {
    t = await startServer({});
    expect((await fetch(`${t.url}/i18n/es.json`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${t.url}/i18n/es.json`, { method: 'HEAD' })).status).toBe(200);
  });
});
