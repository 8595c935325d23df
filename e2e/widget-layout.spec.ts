import { expect, test } from './support/fixtures';
import { openHostPage, waitForReady } from './support/host-page';

test.describe('right to left', () => {
  test("lang 'ar' mirrors the layout: roundel and panel on the left, the visitor's bubbles on the left", async ({ page, server }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openHostPage(page, server, { init: { lang: 'ar' } });
    await waitForReady(page);
    const roundel = page.getByRole('button', { name: 'فتح المحادثة' });
    expect(await roundel.boundingBox()).toEqual({ x: 20, y: 768 - 20 - 56, width: 56, height: 56 });

    await roundel.click();
    const panel = page.getByRole('region');
    await expect.poll(async () => (await panel.boundingBox())?.x).toBe(20);
    const box = page.getByRole('textbox', { name: 'رسالة' });
    await expect(box).toBeFocused();
    await box.fill('مرحبا');
    await page.getByRole('button', { name: 'إرسال' }).click();
    const log = page.getByRole('log');
    await expect(log).toContainText('You said: مرحبا');
    const bot = await log.getByText('Welcome to the test shop!').boundingBox();
    const visitor = await log.getByText('مرحبا', { exact: true }).boundingBox();
    // Mirrored: the bot's bubbles start at the right edge, the visitor's at the left.
    expect(visitor!.x).toBeLessThan(bot!.x);
    expect(await page.evaluate(() => document.querySelector('#servisbot-messenger')!.shadowRoot!.querySelector('.rd-root')!.getAttribute('dir'))).toBe('rtl');
  });

  test("dir: 'rtl' moves an English widget to the left too", async ({ page, server }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openHostPage(page, server, { init: { dir: 'rtl', lang: 'en' } });
    expect((await page.getByRole('button', { name: 'Open chat' }).boundingBox())!.x).toBe(20);
  });
});

test('on a 375×667 phone the open messenger fills the viewport, with 16px inputs and the close button in the header', async ({ page, server }) => {
  await page.setViewportSize({ width: 375, height: 667 });
  await openHostPage(page, server);
  await waitForReady(page);
  const open = page.getByRole('button', { name: 'Open chat' });
  expect(await open.boundingBox()).toEqual({ x: 375 - 20 - 56, y: 667 - 20 - 56, width: 56, height: 56 });
  await open.click();

  const panel = page.getByRole('region');
  await expect.poll(() => panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
  const box = page.getByRole('textbox', { name: 'Message' });
  expect(await box.evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
  const composer = await box.boundingBox();
  expect(composer!.y + composer!.height).toBeLessThanOrEqual(667);
  const close = await page.getByRole('button', { name: 'Close chat' }).boundingBox();
  const header = await page.locator('.rd-header').boundingBox();
  // Inside the header, at its end, clear of the title.
  expect(close!.y).toBeGreaterThanOrEqual(header!.y);
  expect(close!.y + close!.height).toBeLessThanOrEqual(header!.y + header!.height + 8);
  expect(close!.x + close!.width).toBe(375 - 20);
  await page.getByRole('button', { name: 'Close chat' }).click();
  await expect(page.getByRole('log')).toBeHidden();
});

test('the composer follows the visual viewport (the on-screen keyboard) on a phone', async ({ page, server }) => {
  await page.setViewportSize({ width: 375, height: 667 });
  await openHostPage(page, server);
  await page.getByRole('button', { name: 'Open chat' }).click();
  // What a phone does when its keyboard opens: the visual viewport shrinks (and may scroll).
  await page.evaluate(() => {
    const viewport = window.visualViewport!;
    Object.defineProperty(viewport, 'height', { configurable: true, get: () => 367 });
    viewport.dispatchEvent(new Event('resize'));
  });
  const panel = page.getByRole('region');
  await expect.poll(async () => (await panel.boundingBox())?.height).toBe(367);
  const box = await page.getByRole('textbox', { name: 'Message' }).boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(367);
});
