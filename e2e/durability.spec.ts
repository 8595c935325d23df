import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { activateOffers, hostEvents, openHostPage, subscribe, subscribeAndLeave, waitForChatId, waitForReady } from './support/host-page';
import { API_KEY, startServer, writeConfig, type RunningServer } from './support/server';

/** Fault tests: each starts its own server process so it can kill and restart it. */
test.describe.configure({ timeout: 60_000 });

const offersIn = async (page: Page) =>
  (await hostEvents(page)).map((e) => String(e.payload)).filter((p) => p.startsWith('newNotification:offer'));

test('50 activations answered 202, then SIGKILL and a restart on the same database: all 50 arrive', async ({
  browser,
  request,
}) => {
  let server: RunningServer = await startServer();
  const context = await browser.newContext();
  try {
    const { chatId, link } = await subscribeAndLeave(context, server);
    await activateOffers(request, link, 50);
    await server.kill();
    server = await startServer({ dataDir: server.dataDir });

    const again = await context.newPage();
    await openHostPage(again, server);
    expect(await waitForChatId(again)).toBe(chatId);
    await again.waitForFunction(
      () => window.__events.filter((e) => String(e.payload).startsWith('newNotification:offer')).length >= 50,
    );
    expect(await offersIn(again)).toEqual(Array.from({ length: 50 }, (_, i) => `newNotification:offer ${i + 1}`));
  } finally {
    await context.close();
    await server.stop();
  }
});

test('server killed and restarted while the page is open: the widget reconnects, nothing is lost or doubled', async ({
  page,
  request,
}) => {
  let server = await startServer();
  try {
    await openHostPage(page, server);
    const chatId = await waitForChatId(page);
    const conversationId = await waitForReady(page);
    const link = await subscribe(page);
    const port = new URL(server.url).port;

    await server.kill();
    // Typed during the outage: waits in the outbox, shown as pending.
    const box = page.getByRole('textbox', { name: 'Message' });
    await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible();
    await box.fill('typed while offline');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log')).toContainText('Sending…');
    await expect(box).toBeEnabled();

    server = await startServer({ dataDir: server.dataDir, port: Number(port) });
    expect(server.url).toContain(`:${port}`);
    const log = page.getByRole('log');
    await expect(log).toContainText('You said: typed while offline');
    await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toHaveCount(0);
    await expect(log).not.toContainText('Sending…');
    const activation = await request.post(link, { data: { text: 'offer after restart' } });
    expect(activation.status()).toBe(202);
    await expect(log).toContainText('We have a unique offer just for you! offer after restart');
    await expect(log.getByText('You said: typed while offline')).toHaveCount(1);
    await expect(log.getByText('typed while offline', { exact: true })).toHaveCount(1);
    const ready = (await hostEvents(page)).filter((e) => (e.payload as { value?: string }).value === 'Ready');
    expect(ready).toEqual([{ name: 'Messenger', payload: { type: 'CONVERSATION', value: 'Ready', conversationId, chatId } }]);
  } finally {
    await server.stop();
  }
});

test('a page whose resume point was trimmed by retention reloads the retained transcript (recovered: false)', async ({
  browser,
  request,
}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roundel-e2e-'));
  const server = await startServer({ dataDir, config: writeConfig(dataDir, [{}], { retention: { maxEvents: 5 } }) });
  const context = await browser.newContext();
  try {
    const { chatId, link } = await subscribeAndLeave(context, server);
    // Each activation adds two pushes (the offer and its notification): 20 pushes, 5 kept.
    await activateOffers(request, link, 10);
    // Wait until the bot has handled all ten (the audit API reads the chat's log).
    const audit = async () => {
      const response = await request.get(`${server.url}/api/v1/chats/${chatId}/events?after=0`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      return JSON.stringify(await response.json());
    };
    await expect.poll(audit).toContain('newNotification:offer 10');

    const again = await context.newPage();
    await openHostPage(again, server);
    expect(await waitForChatId(again)).toBe(chatId);
    await again.evaluate(() => window.__api.open());
    const log = again.getByRole('log');
    await expect(log).toContainText('We have a unique offer just for you! offer 10');
    await expect(log).not.toContainText('Welcome to the test shop!');
    await expect(log).not.toContainText('offer 7');
  } finally {
    await context.close();
    await server.stop();
  }
});
