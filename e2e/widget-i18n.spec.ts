import { expect, test } from './support/fixtures';
import { openHostPage, waitForReady } from './support/host-page';

// The bundle carries English only; another language's strings come from GET /i18n/{lang}.json on
// the widget's server, fetched only when `lang` needs them.

/** The paths under /i18n/ the page requests. */
function i18nRequests(page: import('@playwright/test').Page): string[] {
  const paths: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/i18n/')) paths.push(pathname);
  });
  return paths;
}

test("lang 'es-MX': one request for the table, then the controls are named in Spanish", async ({ page, server }) => {
  const requests = i18nRequests(page);
  await openHostPage(page, server, { init: { lang: 'es-MX' } });
  await page.getByRole('button', { name: 'Abrir chat' }).click();
  await expect(page.getByRole('textbox', { name: 'Mensaje' })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Enviar' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cerrar chat' })).toBeVisible();
  expect(requests).toEqual(['/i18n/es-mx.json']);
});

test('English, and a language without a table, make no request and show the English names', async ({ page, server }) => {
  const requests = i18nRequests(page);
  for (const lang of ['en-GB', 'ja']) {
    await openHostPage(page, server, { init: { lang } });
    await waitForReady(page);
    await expect(page.getByRole('button', { name: 'Open chat' })).toBeVisible();
  }
  expect(requests).toEqual([]);
});
