import { resolve } from 'node:path';
import { processTest as base, expect } from './support/fixtures';
import { openHostPage, waitForReady } from './support/host-page';
import { startServer, writeConfig, type RunningServer } from './support/server';
import { accessibilityViolations } from './support/widget-pages';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One server per worker running the rich-message bot (e2e/fixtures/rich-bot.mjs). */
const test = base.extend<object, { server: RunningServer }>({
  server: [
    async ({ workerProcesses }, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'roundel-e2e-rich-'));
      const config = writeConfig(dataDir, [{ bot: resolve('e2e/fixtures/rich-bot.mjs') }]);
      const server = await startServer({ dataDir, config, group: workerProcesses });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

/** Small SVG images for the bot's image URLs on the host origin, so images really load. */
async function serveImages(page: import('@playwright/test').Page) {
  await page.route('http://shop.test/img/**', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="120"><rect width="220" height="120" fill="#dbeafe"/><circle cx="110" cy="60" r="36" fill="#2563eb"/></svg>',
    }),
  );
}

async function say(page: import('@playwright/test').Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

test('a card carousel: images with alt, lazy and without referrer; link and postback buttons; keyboard; axe clean', async ({ page, server }) => {
  await serveImages(page);
  await openHostPage(page, server);
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await say(page, 'cards');
  const log = page.getByRole('log');
  const carousel = log.getByRole('list', { name: 'Cards' });
  await expect(carousel.getByRole('listitem')).toHaveCount(3);

  const kettle = log.getByRole('img', { name: 'A steel kettle' });
  await expect(kettle).toHaveAttribute('loading', 'lazy');
  await expect(kettle).toHaveAttribute('referrerpolicy', 'no-referrer');
  await expect(log.getByRole('img', { name: 'Spring sale banner' })).toHaveJSProperty('complete', true);
  const link = log.getByRole('link', { name: 'Kettle details' });
  await expect(link).toHaveAttribute('href', 'https://shop.test/kettle');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', /\bnoopener\b/);
  await expect(log.getByRole('link', { name: 'Open the shop' })).toHaveAttribute('href', 'https://shop.test/sale');
  await expect(log.locator('.rd-bot').last().locator('strong')).toHaveText(['Spring sale']);

  expect(await accessibilityViolations(page)).toEqual([]);

  // The keyboard reaches the carousel, scrolls it with the arrow keys and tabs to the last card's button.
  await carousel.focus();
  await expect(carousel).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => carousel.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  const blender = carousel.getByRole('button', { name: 'Buy the blender' });
  await blender.focus();
  await expect(blender).toBeInViewport();
  await page.keyboard.press('Enter');

  // A postback answers like a quick reply: the transcript shows the title, the bot gets the postback.
  await expect(log.locator('.rd-visitor .rd-bubble').last()).toHaveText('Buy the blender');
  await expect(log).toContainText('onMessage got: buy blender');
  expect(await accessibilityViolations(page)).toEqual([]);
});

/**
 * Presses `key` while `more()` holds (at most 5 times), each time waiting for the list's
 * `scrollend` (smooth scrolling and snapping done); returns the scroll positions it ended at.
 */
async function scrollsWith(page: import('@playwright/test').Page, list: import('@playwright/test').Locator, key: string, more: () => Promise<boolean>): Promise<number[]> {
  const positions: number[] = [];
  for (let presses = 0; presses < 5 && (await more()); presses += 1) {
    await list.evaluate((el) => {
      (window as unknown as { scrollEnd: Promise<number> }).scrollEnd = new Promise((done) => el.addEventListener('scrollend', () => done(el.scrollLeft), { once: true }));
    });
    await page.keyboard.press(key);
    positions.push(await page.evaluate(() => (window as unknown as { scrollEnd: Promise<number> }).scrollEnd));
  }
  return positions;
}

test('the carousel\'s "Previous card" / "Next card" buttons: disabled at the ends, operated by keyboard; axe clean', async ({ page, server }) => {
  await serveImages(page);
  await openHostPage(page, server);
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await say(page, 'cards');
  const log = page.getByRole('log');
  const carousel = log.getByRole('list', { name: 'Cards' });
  await expect(carousel.getByRole('listitem')).toHaveCount(3);
  const previous = log.getByRole('button', { name: 'Previous card' });
  const next = log.getByRole('button', { name: 'Next card' });
  await expect(previous).toBeDisabled();
  await expect(next).toBeEnabled();
  expect(await accessibilityViolations(page)).toEqual([]);

  // Shift+Tab from the composer reaches "Next card", the last control of the transcript (focusing
  // a card's own button would scroll the list to that card).
  await page.getByRole('textbox', { name: 'Message' }).focus();
  await page.keyboard.press('Shift+Tab');
  await expect(next).toBeFocused();
  // Enter moves one card on at a time (each press waits for the list's scrollend), until the last
  // card is in view and the button is disabled; focus then goes to "Previous card", never to the page.
  const scrolled = await scrollsWith(page, carousel, 'Enter', () => next.isEnabled());
  // One card at a time: the first press lands on the second card.
  const stride = await carousel.evaluate((el) => (el.children[1] as HTMLElement).offsetLeft - (el.children[0] as HTMLElement).offsetLeft);
  expect(scrolled[0]).toBe(stride);
  expect(scrolled).toEqual([...new Set(scrolled)].sort((a, b) => a - b));
  await expect(next).toBeDisabled();
  await expect(previous).toBeEnabled();
  await expect(previous).toBeFocused();
  await expect(carousel.getByRole('img', { name: 'A blender' })).toBeInViewport();
  expect(await accessibilityViolations(page)).toEqual([]);

  // Space goes back; at the start "Previous card" is disabled again and focus is on "Next card".
  const back = await scrollsWith(page, carousel, ' ', () => previous.isEnabled());
  expect(back.at(-1)).toBe(0);
  await expect(previous).toBeDisabled();
  await expect(next).toBeFocused();
});

test('the safe Markdown subset renders as elements; a javascript: link stays text', async ({ page, server }) => {
  await openHostPage(page, server);
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await say(page, 'markdown');
  // The welcome, then the answer: only then is the last bubble the answer.
  await expect(page.getByRole('log').locator('.rd-bot')).toHaveCount(2);
  const message = page.getByRole('log').locator('.rd-bot .rd-bubble').last();
  await expect(message.locator('strong')).toHaveText('Bold');
  await expect(message.locator('em')).toHaveText('italic');
  await expect(message.locator('code')).toHaveText('code');
  await expect(message.locator('ul li')).toHaveText(['first', 'second']);
  await expect(message.locator('ol li')).toHaveText(['one', 'two']);
  await expect(message.getByRole('link')).toHaveCount(1);
  await expect(message.getByRole('link', { name: 'the terms' })).toHaveAttribute('href', 'https://shop.test/terms');
  await expect(message).toContainText('[this](javascript:alert(1))');
});

test('the server refuses bad say options with a clear error the handler can catch', async ({ page, server }) => {
  await openHostPage(page, server);
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await say(page, 'refused');
  await expect(page.getByRole('log')).toContainText(
    'say: options.buttons[0].url must be an http(s) URL | say: options.image.url must be an http(s) URL | say: options.cards[0].title must be a non-empty string',
  );
});
