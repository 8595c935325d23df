import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { openHostPage, waitForReady } from './support/host-page';
import { API_KEY } from './support/server';

/** Records the `message` and `unread` host events in `window.__hostLog`, from the moment the instance exists. */
const RECORD = `
  window.__hostLog = [];
  window.addEventListener('servisbot:ready', (event) => {
    const api = event.detail;
    api.on('message', (m) => window.__hostLog.push({ name: 'message', author: m.author, text: m.text, id: typeof m.id, createdAt: !isNaN(Date.parse(m.createdAt)) }));
    api.on('unread', (n) => window.__hostLog.push({ name: 'unread', n }));
  });`;

type Logged = { name: 'message'; author: string; text: string; id: string; createdAt: boolean } | { name: 'unread'; n: number };
const logged = (page: import('@playwright/test').Page) => page.evaluate(() => (window as unknown as { __hostLog: Logged[] }).__hostLog);

async function openRecorded(page: import('@playwright/test').Page, server: { url: string } & Parameters<typeof openHostPage>[1], init: Record<string, unknown> = {}) {
  await openHostPage(page, server, { init, beforeInit: RECORD });
  await waitForReady(page);
}

test('message and unread: live messages from both sides, the count while closed, 0 once read; history is not re-emitted', async ({ page, server }) => {
  await openRecorded(page, server);
  const messages = async () => (await logged(page)).filter((e) => e.name === 'message');
  const unread = async () => (await logged(page)).filter((e) => e.name === 'unread').map((e) => (e as { n: number }).n);
  // The welcome (live or in the history at load, as the bot's timing has it) is unread.
  await expect.poll(unread).toEqual([1]);
  await page.evaluate(() => window.__api.pageEvent({ alias: 'hello', body: { a: 1 } }));
  await expect.poll(async () => (await messages()).at(-1)).toEqual({ name: 'message', author: 'bot', text: 'page event hello {"a":1}', id: 'string', createdAt: true });
  await expect.poll(unread).toEqual([1, 2]);
  await expect(page.getByRole('button', { name: 'Open chat' })).toHaveAccessibleDescription('Unread messages: 2');

  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect.poll(unread).toEqual([1, 2, 0]);
  const before = (await messages()).length;
  await page.getByRole('textbox', { name: 'Message' }).fill('count');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect.poll(async () => (await messages()).slice(before)).toEqual([
    { name: 'message', author: 'visitor', text: 'count', id: 'string', createdAt: true },
    { name: 'message', author: 'bot', text: 'count=1', id: 'string', createdAt: true },
  ]);
  // Read while open: nothing more to announce.
  expect(await unread()).toEqual([1, 2, 0]);

  // A reload shows the history without re-emitting it, and nothing is unread.
  await page.reload();
  await waitForReady(page);
  await expect(page.getByRole('button', { name: 'Open chat' })).toBeVisible();
  expect(await logged(page)).toEqual([]);
});

test('hide() removes the whole widget, show() brings it back as it was; a handler that throws breaks nothing', async ({ page, server }) => {
  await openRecorded(page, server);
  await page.evaluate(() => window.__api.on('message', () => {
    throw new Error('host handler failure');
  }));
  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(page.getByRole('log')).toBeVisible();
  await page.evaluate(() => (window.__api as unknown as { hide(): void }).hide());
  await expect(page.getByRole('log')).toBeHidden();
  await expect(page.getByRole('button', { name: /chat/ })).toHaveCount(0);
  // Hidden, the conversation goes on and counts what the visitor did not see.
  await page.evaluate(() => window.__api.pageEvent('while-hidden'));
  await expect.poll(async () => (await logged(page)).some((e) => e.name === 'message' && e.text.startsWith('page event while-hidden'))).toBe(true);
  await page.evaluate(() => (window.__api as unknown as { show(): void }).show());
  await expect(page.getByRole('log')).toContainText('page event while-hidden');
  await expect(page.getByRole('button', { name: 'Close chat', expanded: true })).toBeVisible();
});

test('without a roundel, the open messenger closes from its header "Close chat"; alwaysOpen has none', async ({ page, server }) => {
  await openHostPage(page, server, { init: { displayRoundel: false } });
  await waitForReady(page);
  await expect(page.getByRole('button', { name: /chat/ })).toHaveCount(0);
  await page.evaluate(() => window.__api.open());
  await expect(page.getByRole('log')).toBeVisible();
  const close = page.getByRole('button', { name: 'Close chat' });
  await expect(close).toHaveCount(1);
  await close.click();
  await expect(page.getByRole('log')).toBeHidden();
  await expect.poll(() => page.evaluate(() => window.__events.filter((e) => e.name === 'Messenger' && (e.payload as { type: string }).type === 'ROUNDEL').map((e) => (e.payload as { value: string }).value))).toEqual(['Opened', 'Closed']);

  await page.evaluate(() => window.__api.destroy());
  await page.evaluate(() => {
    window.__api = (window as unknown as { ServisBot: { init(o: unknown): typeof window.__api } }).ServisBot.init({ organization: 'acme', endpoint: 'acme-demo', alwaysOpen: true });
  });
  await expect(page.getByRole('log')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Close chat' })).toHaveCount(0);
});

test('an external event to everyone (incoming_multicast) shows in the transcript', async ({ page, server, request }) => {
  await openHostPage(page, server);
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const res = await (request as APIRequestContext).post(`${server.url}/api/v1/events/announcement`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
    data: { users: 'everyone', data: { text: 'The shop closes at six today' } },
  });
  expect(res.status()).toBe(202);
  await expect(page.getByRole('log').locator('.rd-notice')).toHaveText(['The shop closes at six today']);
});
