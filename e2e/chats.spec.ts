/** Chats outlive conversations: a reset starts a new thread of the same chat (docs/protocol.md, "Chats and threads"). */
import { expect, test } from './support/fixtures';
import { API_KEY } from './support/server';
import { hostEvents, openHostPage, subscribe, waitForChatId, waitForReady } from './support/host-page';

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

test('a retried activation with the same Idempotency-Key shows once', async ({ page, server, request }) => {
  await openHostPage(page, server);
  await waitForReady(page);
  const link = await subscribe(page);
  const fire = (key: string, text: string) => request.post(link, { data: { text }, headers: { 'Idempotency-Key': key } });

  const first = await fire('mailing-7', 'only once');
  expect(first.status()).toBe(202);
  const retry = await fire('mailing-7', 'only once');
  expect(retry.status()).toBe(202);
  expect(retry.headers()['idempotent-replayed']).toBe('true');
  expect(await retry.json()).toEqual(await first.json());
  // Another key is another activation; it also proves the first one's answer has been shown by now.
  expect((await fire('mailing-8', 'the next one')).status()).toBe(202);
  const log = page.getByRole('log');
  await expect(log).toContainText('We have a unique offer just for you! the next one');
  await expect(log.getByText('We have a unique offer just for you! only once')).toHaveCount(1);
  const notices = (await hostEvents(page)).filter((e) => e.payload === 'newNotification:only once');
  expect(notices).toHaveLength(1);
});

test('GET shows the chat and its threads; DELETE erases it and the open widget starts a new, empty chat', async ({ page, server, request }) => {
  await openHostPage(page, server);
  const chatId = await waitForChatId(page);
  const link = await subscribe(page);
  await page.evaluate(() => window.__api.reset());
  const second = await waitForReady(page, 2);
  const auth = { Authorization: `Bearer ${API_KEY}` };

  const chat = await request.get(`${server.url}/api/v1/chats/${chatId}`, { headers: auth });
  expect(chat.status()).toBe(200);
  const body = (await chat.json()) as { id: string; threads: Array<{ id: string; closedAt: string | null }> };
  expect(body.id).toBe(chatId);
  expect(body.threads.map((thread) => thread.closedAt === null)).toEqual([false, true]);
  expect(body.threads[1]?.id).toBe(second);

  expect((await request.delete(`${server.url}/api/v1/chats/${chatId}`, { headers: auth })).status()).toBe(204);
  const fresh = await waitForChatId(page, 3);
  expect(fresh).not.toBe(chatId);
  const log = page.getByRole('log');
  await expect(log).toContainText('Welcome to the test shop!');
  await expect(log).not.toContainText('subscribe');
  expect((await request.post(link, { data: { text: 'gone' } })).status()).toBe(404);
  expect((await request.get(`${server.url}/api/v1/chats/${chatId}`, { headers: auth })).status()).toBe(404);
});
