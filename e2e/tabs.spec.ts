import { expect, test } from './support/fixtures';
import { hostEvents, openHostPage, waitForReady } from './support/host-page';

test('the same chat in two tabs: both show every message, both host pages get the notification, nothing doubles', async ({
  browser,
  server,
}) => {
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    await openHostPage(first, server);
    const chatId = await waitForReady(first);
    const second = await context.newPage();
    await openHostPage(second, server);
    expect(await waitForReady(second)).toBe(chatId);

    await first.evaluate(() => window.__api.open());
    await second.evaluate(() => window.__api.open());
    await first.getByRole('textbox', { name: 'Message' }).fill('notify to both tabs');
    await first.getByRole('button', { name: 'Send' }).click();
    await second.getByRole('textbox', { name: 'Message' }).fill('hello from tab two');
    await second.getByRole('button', { name: 'Send' }).click();

    for (const page of [first, second]) {
      const log = page.getByRole('log');
      await expect(log).toContainText('You said: hello from tab two');
      await page.waitForFunction(() => window.__events.some((e) => e.payload === 'to both tabs'));
      await expect(log.getByText('notify to both tabs', { exact: true })).toHaveCount(1);
      await expect(log.getByText('hello from tab two', { exact: true })).toHaveCount(1);
      await expect(log.getByText('You said: hello from tab two', { exact: true })).toHaveCount(1);
      await expect(log.getByText('Welcome to the test shop!', { exact: true })).toHaveCount(1);
      const notes = (await hostEvents(page)).filter((e) => e.name === 'notification').map((e) => e.payload);
      expect(notes).toEqual(['to both tabs']);
    }
  } finally {
    await context.close();
  }
});

test('reset() in one tab moves the other tab to the new conversation', async ({ browser, server }) => {
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    await openHostPage(first, server);
    const oldId = await waitForReady(first);
    const second = await context.newPage();
    await openHostPage(second, server);
    expect(await waitForReady(second)).toBe(oldId);

    await first.evaluate(() => window.__api.reset());
    const newId = await waitForReady(first, 2);
    expect(newId).not.toBe(oldId);
    expect(await waitForReady(second, 2)).toBe(newId);
  } finally {
    await context.close();
  }
});
