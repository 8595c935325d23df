/** Chats outlive conversations: a reset starts a new thread of the same chat (docs/protocol.md, "Chats and threads"). */
import { expect, test } from './support/fixtures';
import { openHostPage, subscribe, waitForChatId, waitForReady } from './support/host-page';

test('a pushback made before reset() reaches the visitor after it, in the new conversation', async ({ page, server, request }) => {
  await openHostPage(page, server);
  const first = await waitForReady(page);
  const chatId = await waitForChatId(page);
  const link = await subscribe(page);

  await page.evaluate(() => window.__api.reset());
  expect(await waitForReady(page, 2)).not.toBe(first);
  expect(await waitForChatId(page, 2)).toBe(chatId);
  const log = page.getByRole('log');
  // The new conversation shows nothing of the first one.
  await expect(log).not.toContainText('subscribe');

  const response = await request.post(link, { data: { text: 'after the reset' } });
  expect(response.status()).toBe(202);
  await expect(log).toContainText('We have a unique offer just for you! after the reset');
  await page.waitForFunction(() => window.__events.some((e) => e.payload === 'newNotification:after the reset'));
});

test('a reload after reset() shows only the new conversation, and the pushback still reaches it', async ({ page, server, request }) => {
  await openHostPage(page, server);
  const chatId = await waitForChatId(page);
  const link = await subscribe(page);
  await page.evaluate(() => window.__api.reset());
  const second = await waitForReady(page, 2);

  await openHostPage(page, server);
  expect(await waitForReady(page)).toBe(second);
  expect(await waitForChatId(page)).toBe(chatId);
  await page.evaluate(() => window.__api.open());
  const log = page.getByRole('log');
  await expect(log).toContainText('Welcome to the test shop!');
  await expect(log).not.toContainText('subscribe');
  expect((await request.post(link, { data: { text: 'still yours' } })).status()).toBe(202);
  await expect(log).toContainText('We have a unique offer just for you! still yours');
});
