import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { processTest as base, expect } from './support/fixtures';
import { hostEvents, openHostPage, waitForChatId } from './support/host-page';
import { API_KEY, startServer, writeConfig, type RunningServer } from './support/server';

const GLOBEX_KEY = 'e2e-globex-key-fedcba9876543210';

/**
 * External events (POST /api/v1/events/{event}) against the built server, seen by real pages.
 * Each test gets its own server, so "everyone" means exactly the visitors the test opened.
 */
const test = base.extend<{ server: RunningServer }>({
  server: async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop();
  },
});

function sendEvent(request: APIRequestContext, server: RunningServer, event: string, body: object) {
  return request.post(`${server.url}/api/v1/events/${event}`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
    data: body,
  });
}

/** The page's `notification` host events so far. */
async function notifications(page: Page): Promise<unknown[]> {
  return (await hostEvents(page)).filter((e) => e.name === 'notification').map((e) => e.payload);
}

function waitForNotification(page: Page, message: string) {
  return page.waitForFunction((m) => window.__events.some((e) => e.name === 'notification' && e.payload === m), message);
}

test('an event to everyone shows for both visitors; one to a chatId only for that visitor', async ({ browser, server, request }) => {
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  const [ann, bo] = await Promise.all(contexts.map((context) => context.newPage()));
  if (!ann || !bo) throw new Error('no pages');
  await openHostPage(ann, server);
  await openHostPage(bo, server);
  const annChat = await waitForChatId(ann);
  const boChat = await waitForChatId(bo);
  expect(annChat).not.toBe(boChat);

  const everyone = await sendEvent(request, server, 'announcement', { platform: 'any', users: 'everyone', data: { text: 'Doors open at nine' } });
  expect(everyone.status()).toBe(202);
  expect(await everyone.json()).toEqual({ event: 'announcement', matched: 2 });
  for (const page of [ann, bo]) {
    await waitForNotification(page, 'announcement:Doors open at nine');
    await page.evaluate(() => window.__api.open());
    await expect(page.getByRole('log')).toContainText('We have a unique offer just for you! Doors open at nine');
  }

  const one = await sendEvent(request, server, 'orderShipped', { platform: 'chatwidget', users: [annChat], data: { text: 'Only for Ann' } });
  expect(await one.json()).toEqual({ event: 'orderShipped', matched: 1 });
  await waitForNotification(ann, 'orderShipped:Only for Ann');
  await expect(ann.getByRole('log')).toContainText('We have a unique offer just for you! Only for Ann');

  // A chat gets its pushes in order: had Ann's event reached Bo, it would come before this one.
  expect((await sendEvent(request, server, 'marker', { users: [boChat], data: { text: 'For Bo' } })).status()).toBe(202);
  await waitForNotification(bo, 'marker:For Bo');
  expect(await notifications(ann)).toEqual(['announcement:Doors open at nine', 'orderShipped:Only for Ann']);
  expect(await notifications(bo)).toEqual(['announcement:Doors open at nine', 'marker:For Bo']);
  await expect(bo.getByRole('log')).not.toContainText('Only for Ann');
  await Promise.all(contexts.map((context) => context.close()));
});

test('an event reaches a visitor who was away, when the page opens again', async ({ browser, server, request }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openHostPage(page, server);
  const chatId = await waitForChatId(page);
  await page.close();

  const res = await sendEvent(request, server, 'announcement', { users: 'everyone', data: { text: 'While you were away' } });
  expect(await res.json()).toEqual({ event: 'announcement', matched: 1 });

  const again = await context.newPage();
  await openHostPage(again, server);
  expect(await waitForChatId(again)).toBe(chatId);
  await waitForNotification(again, 'announcement:While you were away');
  await context.close();
});

test('the API refuses a wrong key (401) and another endpoint’s key for this chat (403)', async ({ page, request }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roundel-e2e-'));
  const config = writeConfig(dataDir, [{}, { organization: 'globex', endpoint: 'globex-support', apiKey: GLOBEX_KEY }]);
  const server = await startServer({ dataDir, config });
  try {
    await openHostPage(page, server);
    const chatId = await waitForChatId(page);
    const post = (key: string) =>
      request.post(`${server.url}/api/v1/events/announcement`, { headers: { Authorization: `Bearer ${key}` }, data: { users: [chatId] } });
    const wrong = await post('not-the-key');
    expect(wrong.status()).toBe(401);
    expect(await wrong.json()).toEqual({ error: { type: 'authentication', message: 'the API key is not valid' } });
    expect(wrong.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const foreign = await post(GLOBEX_KEY);
    expect(foreign.status()).toBe(403);
    expect(await foreign.json()).toEqual({ error: { type: 'authentication', message: `this key may not reach chat '${chatId}'` } });
    expect(await (await post(API_KEY)).json()).toEqual({ event: 'announcement', matched: 1 });
  } finally {
    await server.stop();
  }
});

test.describe('the demo page', () => {
  test('sends an announcement to everyone with the pasted API key and shows the curl command', async ({ page, request }) => {
    const server = await startServer({ config: null });
    try {
      for (const path of ['/', '/demo.js']) expect(await (await request.get(`${server.url}${path}`)).text()).not.toContain(API_KEY);
      await page.goto(`${server.url}/`);
      const log = page.getByRole('list', { name: 'Host events' });
      await expect(log).toContainText('"value":"Ready"');

      const curl = page.getByLabel('External event as a curl command');
      await page.getByLabel('Announcement text').fill('Free coffee at the counter');
      await expect(curl).toHaveText(
        `curl -X POST '${server.url}/api/v1/events/announcement' \\\n` +
          '  -H "Authorization: Bearer $ROUNDEL_API_KEY" \\\n' +
          "  -H 'Content-Type: application/json' \\\n" +
          `  -d '{"platform":"any","users":"everyone","data":{"text":"Free coffee at the counter"}}'`,
      );

      const status = page.getByRole('status').filter({ hasText: 'matched' });
      await page.getByLabel('API key', { exact: true }).fill(API_KEY);
      await page.getByRole('button', { name: 'Send to everyone' }).click();
      await expect(status).toHaveText('202 {"event":"announcement","matched":1}');
      await expect(log).toContainText('announcement: Free coffee at the counter');
      await page.getByRole('button', { name: 'Open chat' }).click();
      await expect(page.getByRole('log')).toContainText('Announcement: Free coffee at the counter');
      await expect(curl).not.toContainText(API_KEY);

      await page.getByLabel('API key', { exact: true }).fill('not-the-key');
      await page.getByRole('button', { name: 'Send to everyone' }).click();
      await expect(page.getByRole('status').filter({ hasText: '401' })).toHaveText(
        '401 {"error":{"type":"authentication","message":"the API key is not valid"}}',
      );
    } finally {
      await server.stop();
    }
  });
});
