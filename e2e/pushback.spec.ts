import { expect, test } from './support/fixtures';
import { activateOffers, hostEvents, openHostPage, subscribe, subscribeAndLeave, waitForChatId, waitForReady } from './support/host-page';

test('a pushback activated by a plain HTTP POST shows the offer and notifies the host', async ({ page, server, request }) => {
  await openHostPage(page, server);
  const chatId = await waitForReady(page);
  const link = await subscribe(page);
  expect(link).toMatch(new RegExp(`^${server.url}/pushgate/push_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));

  const response = await request.post(link, { data: { text: '03/25 only, 20% off all our business plans!' } });
  expect(response.status()).toBe(202);
  const id = link.split('push_')[1];
  expect(await response.json()).toEqual({ id, event: 'newNotification', accepted: true });

  await expect(page.getByRole('log')).toContainText('We have a unique offer just for you! 03/25 only, 20% off all our business plans!');
  await page.waitForFunction(() => window.__events.some((e) => e.payload === 'newNotification:03/25 only, 20% off all our business plans!'));
  expect(chatId).toMatch(/^[0-9a-f-]{36}$/);
});

test('GET and an empty POST use the creation eventData; the link stays valid', async ({ page, server, request }) => {
  await openHostPage(page, server);
  await waitForReady(page);
  const link = await subscribe(page);
  expect((await request.get(link)).status()).toBe(202);
  expect((await request.post(link)).status()).toBe(202);
  await page.waitForFunction(
    () => window.__events.filter((e) => e.payload === 'newNotification:Huge online sale today!').length === 2,
  );
  await expect(page.getByRole('log').getByText('We have a unique offer just for you! Huge online sale today!')).toHaveCount(2);
});

test('50 activations fired while the page is closed arrive, in order, when it opens again', async ({ browser, server, request }) => {
  const context = await browser.newContext();
  const { chatId, link } = await subscribeAndLeave(context, server);
  await activateOffers(request, link, 50);

  const again = await context.newPage();
  await openHostPage(again, server);
  expect(await waitForChatId(again)).toBe(chatId);
  await again.waitForFunction(() => window.__events.filter((e) => String(e.payload).startsWith('newNotification:offer')).length === 50);
  const offers = (await hostEvents(again)).map((e) => e.payload).filter((p) => String(p).startsWith('newNotification:offer'));
  expect(offers).toEqual(Array.from({ length: 50 }, (_, i) => `newNotification:offer ${i + 1}`));
  await again.evaluate(() => window.__api.open());
  await expect(again.getByRole('log')).toContainText('We have a unique offer just for you! offer 50');
  await context.close();
});

test('pushgate errors: unknown id 404, bad JSON 400, non-object 400, over 64 KiB 413', async ({ page, server, request }) => {
  const unknown = `${server.url}/pushgate/push_00000000-0000-4000-8000-000000000000`;
  const notFound = await request.post(unknown, { data: { a: 1 } });
  expect(notFound.status()).toBe(404);
  expect((await notFound.json()).error.type).toBe('not_found');

  await openHostPage(page, server);
  await waitForReady(page);
  const link = await subscribe(page);
  const headers = { 'content-type': 'application/json' };
  const badJson = await request.post(link, { headers, data: '{"text": ' });
  expect(badJson.status()).toBe(400);
  expect((await badJson.json()).error.type).toBe('validation');
  const array = await request.post(link, { headers, data: '[1,2]' });
  expect(array.status()).toBe(400);
  const huge = await request.post(link, { headers, data: JSON.stringify({ text: 'x'.repeat(70 * 1024) }) });
  expect(huge.status()).toBe(413);
  expect((await huge.json()).error.type).toBe('entity_too_large');
  // Nothing of the refused requests reached the chat.
  expect((await hostEvents(page)).filter((e) => String(e.payload).startsWith('newNotification:'))).toEqual([]);
});
