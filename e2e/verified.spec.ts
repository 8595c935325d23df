/** Verified visitors: `init({ user: { id, hash } })` (README, "The widget"; docs/protocol.md, "Verified visitors"). */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { hostEvents, openHostPage, waitForChatId } from './support/host-page';
import { API_KEY, startServer, writeConfig, type RunningServer } from './support/server';

const SECRET = 'e2e-identity-secret';
const user = (id: string) => ({ id, hash: createHmac('sha256', SECRET).update(id).digest('hex') });

let server: RunningServer;
test.beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roundel-e2e-'));
  server = await startServer({ dataDir, config: writeConfig(dataDir, [{ identitySecret: SECRET }]) });
});
test.afterAll(async () => {
  await server.stop();
});

async function send(page: Page, text: string): Promise<void> {
  await page.evaluate(() => window.__api.open());
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

async function say(page: Page, text: string): Promise<void> {
  await send(page, text);
  await expect(page.getByRole('log')).toContainText(`You said: ${text}`);
}

test('two browsers with the same verified id share one chat and its transcript', async ({ browser }) => {
  const laptop = await browser.newContext();
  const phone = await browser.newContext();
  try {
    const a = await laptop.newPage();
    await openHostPage(a, server, { init: { user: user('crm-1001') } });
    const chatId = await waitForChatId(a);
    await say(a, 'sent from the laptop');

    const b = await phone.newPage();
    await openHostPage(b, server, { init: { user: user('crm-1001') } });
    expect(await waitForChatId(b)).toBe(chatId);
    await b.evaluate(() => window.__api.open());
    await expect(b.getByRole('log')).toContainText('sent from the laptop');
    await say(b, 'sent from the phone');
    await expect(a.getByRole('log')).toContainText('sent from the phone');
  } finally {
    await laptop.close();
    await phone.close();
  }
});

test('a forged hash starts nothing: no Ready, the widget says it cannot connect, debug says why', async ({ page }) => {
  const logs: string[] = [];
  page.on('console', (message) => logs.push(message.text()));
  await openHostPage(page, server, { init: { user: { id: 'crm-1001', hash: user('crm-666').hash }, debug: true } });
  await page.evaluate(() => window.__api.open());
  await expect(page.getByRole('status').filter({ hasText: 'Cannot connect to the chat.' })).toBeVisible();
  expect((await hostEvents(page)).filter((e) => (e.payload as { value?: string }).value === 'Ready')).toEqual([]);
  expect(logs.some((line) => line.includes('[ServisBot]') && line.includes('identity was refused'))).toBe(true);
});

test('after destroy(), an init with another user (or none) shows nothing of the first visitor', async ({ page }) => {
  await openHostPage(page, server, { init: { user: user('crm-2001') } });
  const first = await waitForChatId(page);
  await say(page, 'secret of the first visitor');

  for (const next of [{ user: user('crm-2002') }, {}]) {
    await page.evaluate((options) => {
      window.__api.destroy();
      window.__events = [];
      window.__api = window.ServisBot.init({ organization: 'acme', endpoint: 'acme-demo', ...options });
      window.__api.on('Messenger', (payload) => window.__events.push({ name: 'Messenger', payload }));
    }, next);
    const chatId = await waitForChatId(page);
    expect(chatId).not.toBe(first);
    await page.evaluate(() => window.__api.open());
    const log = page.getByRole('log');
    await expect(log).toContainText('Welcome to the test shop!');
    await expect(log).not.toContainText('secret of the first visitor');
  }
  const stored = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  expect(stored).not.toContain('secret of the first visitor');
});

test('users (a verified user id) and users_bm (a chat id) reach the right visitors; ctx.lastRequest holds the data', async ({ browser, request }) => {
  const verifiedContext = await browser.newContext();
  const anonymousContext = await browser.newContext();
  const bystanderContext = await browser.newContext();
  try {
    const verified = await verifiedContext.newPage();
    await openHostPage(verified, server, { init: { user: user('crm-3001') } });
    await waitForChatId(verified);
    const anonymous = await anonymousContext.newPage();
    await openHostPage(anonymous, server);
    const anonymousChat = await waitForChatId(anonymous);
    const bystander = await bystanderContext.newPage();
    await openHostPage(bystander, server);
    await waitForChatId(bystander);

    const sent = await request.post(`${server.url}/api/v1/events/orderShipped`, {
      headers: { Authorization: `Bearer ${API_KEY}` },
      data: { platform: 'chatwidget', users: ['crm-3001'], users_bm: [anonymousChat], data: { text: 'order 77 shipped', order: 77 } },
    });
    expect(await sent.json()).toEqual({ event: 'orderShipped', matched: 2 });
    for (const page of [verified, anonymous]) {
      await page.evaluate(() => window.__api.open());
      await expect(page.getByRole('log')).toContainText('We have a unique offer just for you! order 77 shipped');
    }
    await send(verified, 'last');
    await expect(verified.getByRole('log')).toContainText('lastRequest={"text":"order 77 shipped","order":77}');
    await bystander.evaluate(() => window.__api.open());
    await send(bystander, 'last');
    await expect(bystander.getByRole('log')).toContainText('lastRequest=null');
    await expect(bystander.getByRole('log')).not.toContainText('order 77 shipped');
  } finally {
    await verifiedContext.close();
    await anonymousContext.close();
    await bystanderContext.close();
  }
});
