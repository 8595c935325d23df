import { expect, test } from './support/fixtures';
import { openHostPage, waitForReady } from './support/host-page';

test('http(s) links in messages are anchors that open in a new tab without opener or referrer', async ({ page, server }) => {
  await page.context().route('https://offers.example/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Offers</title><h1>Offers</h1>' }),
  );
  await openHostPage(page, server);
  await waitForReady(page);
  await page.evaluate(() => window.__api.open());
  await page.getByRole('textbox', { name: 'Message' }).fill('see https://offers.example/sale?x=1. and javascript:alert(1)');
  await page.getByRole('button', { name: 'Send' }).click();
  const log = page.getByRole('log');
  await expect(log).toContainText('You said: see https://offers.example/sale?x=1. and javascript:alert(1)');

  // The visitor's message and the bot's echo: one link each, only for the https URL.
  const links = log.getByRole('link');
  await expect(links).toHaveCount(2);
  for (const link of await links.all()) {
    await expect(link).toHaveText('https://offers.example/sale?x=1');
    await expect(link).toHaveAttribute('href', 'https://offers.example/sale?x=1');
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  }

  const popupOpened = page.waitForEvent('popup');
  await links.last().click();
  const popup = await popupOpened;
  await popup.waitForLoadState();
  expect(popup.url()).toBe('https://offers.example/sale?x=1');
  expect(await popup.evaluate(() => ({ opener: window.opener, referrer: document.referrer }))).toEqual({ opener: null, referrer: '' });
});

test('the closed roundel counts unread bot messages in its description; opening reads them, also after a reload', async ({ page, server }) => {
  await openHostPage(page, server);
  await waitForReady(page);
  const roundel = page.getByRole('button', { name: 'Open chat', exact: true });
  // The greeting arrived while closed.
  await expect(roundel).toHaveAccessibleDescription('Unread messages: 1');
  await page.evaluate(() => window.__api.pageEvent('ping'));
  await expect(roundel).toHaveAccessibleDescription('Unread messages: 2');
  await expect(page.locator('.rd-badge')).toHaveText('2');

  await roundel.click();
  const close = page.getByRole('button', { name: 'Close chat', exact: true });
  await expect(close).toHaveAccessibleDescription('');
  await close.click();
  await expect(roundel).toHaveAccessibleDescription('');
  await expect(page.locator('.rd-badge')).toHaveCount(0);

  await page.reload();
  await waitForReady(page);
  await page.evaluate(() => window.__api.pageEvent('after-reload'));
  await expect(roundel).toHaveAccessibleDescription('Unread messages: 1');
});

test('visitor messages show their time and "Sent"; the bot shows a typing indicator while a slow handler runs', async ({ page, server }) => {
  await openHostPage(page, server);
  await waitForReady(page);
  await page.evaluate(() => window.__api.open());
  // The indicator may show for less than a frame: a MutationObserver sees it anyway.
  await page.evaluate(() => {
    const root = document.querySelector('#servisbot-messenger')!.shadowRoot!;
    const seen: string[] = ((window as unknown as { __typing: string[] }).__typing = []);
    new MutationObserver(() => {
      const shown = root.querySelector('.rd-typing')?.textContent ?? '';
      if (shown !== (seen.at(-1) ?? '')) seen.push(shown);
    }).observe(root, { childList: true, subtree: true });
  });
  // A handler that answers at once shows no indicator; this one takes a while.
  await page.getByRole('textbox', { name: 'Message' }).fill('slow');
  await page.getByRole('button', { name: 'Send' }).click();
  const log = page.getByRole('log');
  await expect(log).toContainText('done slowly');
  await expect(page.getByText('Typing…')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __typing: string[] }).__typing)).toEqual(['Typing…', '']);
  await expect(log.getByText('Sent', { exact: true })).toHaveCount(1);
  const times = await log.locator('time').evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('datetime'), node.textContent]));
  expect(times).toHaveLength(3);
  for (const [datetime, text] of times) {
    expect(datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(text).toMatch(/^\d{1,2}:\d\d( [AP]M)?$/);
  }
});
