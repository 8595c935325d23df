import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { openHostPage, waitForReady } from './support/host-page';
import { accessibilityViolations } from './support/widget-pages';

/** A 1x1 red PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const MIB = 1024 * 1024;

type FilePayload = { name: string; mimeType: string; buffer: Buffer };

/** Picks `file` through the open panel's "Attach file" button and the browser's file chooser. */
async function attachFile(page: Page, file: FilePayload): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles(file);
}

test.describe('visitor files', () => {
  test('a PNG attached with the keyboard shows inline, reaches the bot through its url, and axe finds nothing', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const attach = page.getByRole('button', { name: 'Attach file' });
    await expect(attach).toBeEnabled();
    expect(await accessibilityViolations(page)).toEqual([]);

    // The button opens the file picker from the keyboard too.
    await attach.focus();
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Enter');
    await (await chooser).setFiles({ name: 'broken order.png', mimeType: 'image/png', buffer: PNG });

    const log = page.getByRole('log');
    const image = log.getByRole('img', { name: 'broken order.png' });
    await expect(image).toBeVisible();
    await expect(image).toHaveAttribute('loading', 'lazy');
    await expect(image).toHaveJSProperty('naturalWidth', 1);
    await expect(log.locator('.rd-visitor').last()).toContainText('Sent');
    await expect(log).toContainText(`Got broken order.png (image/png): ${PNG.length} bytes`);
    expect(await accessibilityViolations(page)).toEqual([]);

    // A reload shows it again from the history.
    await page.reload();
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect(page.getByRole('log').getByRole('img', { name: 'broken order.png' })).toHaveJSProperty('naturalWidth', 1);
  });

  test('an image whose signed link ran out (a page open past 24 hours) is shown again with a fresh link', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await attachFile(page, { name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    await expect(page.getByRole('log').getByRole('img', { name: 'receipt.png' })).toHaveJSProperty('naturalWidth', 1);

    // From now on the server's first answer to a signed link is the one an expired link gets.
    let refused: string | undefined;
    await page.route(
      (url) => url.pathname.startsWith('/files/') && url.searchParams.has('signature'),
      (route) => {
        if (refused !== undefined) return route.continue();
        refused = route.request().url();
        return route.fulfill({ status: 403, contentType: 'application/json', body: '{"error":{"type":"authentication","message":"the file link has expired"}}' });
      },
    );
    const renewals: string[] = [];
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.endsWith('/link')) renewals.push(`${res.request().method()} ${res.status()}`);
    });
    await page.reload();
    await waitForReady(page);
    // The history's links were signed at this login, to the second: a renewed one differs once the
    // server's clock (this machine's) is past that second.
    const loggedIn = Date.now();
    await expect.poll(() => Date.now() > Math.ceil(loggedIn / 1000) * 1000).toBe(true);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const image = page.getByRole('log').getByRole('img', { name: 'receipt.png' });
    await expect(image).toHaveJSProperty('naturalWidth', 1);
    expect(refused).toBeDefined();
    expect(await image.getAttribute('src')).not.toBe(refused);
    expect(renewals).toEqual(['POST 200']);
  });

  test('files dropped on the composer or pasted into it are sent like picked ones, with the same refusals', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const composer = page.locator('#servisbot-messenger form.rd-composer');
    const log = page.getByRole('log');

    // A drop, with a DataTransfer built in the page as the browser builds one for a file dragged in.
    const dropped = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['order 1234: the lid is cracked\n'.repeat(100)], 'dropped.txt', { type: 'text/plain' }));
      return data;
    });
    await composer.dispatchEvent('dragenter', { dataTransfer: dropped });
    await composer.dispatchEvent('dragover', { dataTransfer: dropped });
    await expect(composer).toHaveClass(/\brd-drop\b/);
    await composer.dispatchEvent('drop', { dataTransfer: dropped });
    await expect(composer).not.toHaveClass(/\brd-drop\b/);
    await expect(log.getByRole('link', { name: 'dropped.txt (3 KB)' })).toBeVisible();
    await expect(log).toContainText('Got dropped.txt (text/plain; charset=utf-8): 3100 bytes');

    // A paste of a file (a screenshot, say) into the textbox.
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.evaluate((el, png) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(png), (c) => c.charCodeAt(0))], 'pasted.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, PNG.toString('base64'));
    await expect(log.getByRole('img', { name: 'pasted.png' })).toHaveJSProperty('naturalWidth', 1);
    await expect(box).toHaveValue('');

    // Too large: refused in the widget, as from the picker, and nothing goes out.
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/files') uploads.push(request.method());
    });
    const big = await page.evaluateHandle((size) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(size)], 'holiday.mov', { type: 'video/quicktime' }));
      return data;
    }, 11 * MIB);
    await composer.dispatchEvent('drop', { dataTransfer: big });
    await expect(page.getByRole('alert')).toHaveText('“holiday.mov” is too large: files can be at most 10 MB.');
    expect(uploads).toEqual([]);
  });

  test('another kind of file is a link with its name and size', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await attachFile(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('order 1234: the lid is cracked\n'.repeat(100)) });
    const link = page.getByRole('log').getByRole('link', { name: 'notes.txt (3 KB)' });
    await expect(link).toHaveAttribute('href', /\/files\/[0-9a-f-]{36}\?expires=\d+&signature=/);
    await expect(link).toHaveAttribute('rel', /\bnoopener\b/);
    await expect(page.getByRole('log')).toContainText('Got notes.txt (text/plain; charset=utf-8): 3100 bytes');
  });

  test('an 11 MiB file is refused in the widget, and nothing is sent', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/files') uploads.push(request.method());
    });
    await attachFile(page, { name: 'holiday.mov', mimeType: 'video/quicktime', buffer: Buffer.alloc(11 * MIB, 1) });
    await expect(page.getByRole('alert')).toHaveText('“holiday.mov” is too large: files can be at most 10 MB.');
    await expect(page.getByRole('log').locator('.rd-visitor')).toHaveCount(0);
    expect(uploads).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  test('a kind of file the server refuses gets a message naming it', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await attachFile(page, { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]) });
    await expect(page.getByRole('alert')).toHaveText('“setup.exe” cannot be sent: images, PDF, zip and text files can.');
    await expect(page.getByRole('log').locator('.rd-visitor')).toHaveCount(0);
  });
});
