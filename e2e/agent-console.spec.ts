/**
 * A person takes over from the bot: a visitor (the built widget on a host page) and agents (the
 * built console at /agent/) in separate browser contexts, against the real server process.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { openHostPage } from './support/host-page';
import { HOST_ORIGIN, startServer, type RunningServer } from './support/server';
import { accessibilityViolations } from './support/widget-pages';

const ALICE = { id: 'alice@example.com', name: 'Alice', key: 'alice-e2e-key-0123456789' };
const BOB = { id: 'bob@example.com', name: 'Bob', key: 'bob-e2e-key-0123456789' };

const BOT = `export default {
  async onStart(ctx) { await ctx.say('Hello from the bot'); },
  async onMessage(ctx, text) {
    if (text === 'human') { await ctx.say('Let me find a person'); return ctx.handoff('asked for a person'); }
    await ctx.say('Bot heard: ' + text);
  },
};
`;

let server: RunningServer;

test.beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roundel-e2e-agents-'));
  const bot = join(dataDir, 'bot.mjs');
  writeFileSync(bot, BOT);
  const config = join(dataDir, 'roundel.config.json');
  const endpoint = { organization: 'acme', endpoint: 'acme-demo', bot, allowedOrigins: [HOST_ORIGIN], apiKey: 'e2e-api-key-0123456789abcdef', agents: [ALICE, BOB] };
  writeFileSync(config, JSON.stringify({ endpoints: [endpoint] }));
  server = await startServer({ dataDir, config });
});

test.afterAll(async () => {
  await server.stop();
});

async function consoleFor(browser: Browser, key: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/agent/`);
  await page.getByRole('textbox', { name: 'Agent key' }).fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('status')).toHaveText('Online');
  return page;
}

test('a wrong key is refused, the login page and the console pass axe', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/agent/`);
  expect(await accessibilityViolations(page)).toEqual([]);
  await page.getByRole('textbox', { name: 'Agent key' }).fill('wrong-key');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong agent key');
  const alice = await consoleFor(browser, ALICE.key);
  expect(await accessibilityViolations(alice)).toEqual([]);
});

test('handoff, join, both ways with the bot silent, sneak peek and page, transfer, leave, end', async ({ browser }) => {
  const visitor = await (await browser.newContext()).newPage();
  await openHostPage(visitor, server, { init: { alwaysOpen: true } });
  const visitorLog = visitor.getByRole('log');
  await expect(visitorLog).toContainText('Hello from the bot');
  const alice = await consoleFor(browser, ALICE.key);

  const say = async (text: string) => {
    await visitor.getByRole('textbox', { name: 'Message' }).fill(text);
    await visitor.getByRole('button', { name: 'Send' }).click();
  };
  await say('human');
  await expect(visitorLog).toContainText('A person will join the chat shortly.');
  const queue = alice.getByRole('region', { name: 'Queue' });
  await queue.getByRole('button').first().click();
  await alice.getByRole('button', { name: 'Join' }).click();
  await expect(visitorLog).toContainText('Alice joined');
  expect(await accessibilityViolations(alice)).toEqual([]);

  // The draft reaches the agent before it is sent.
  await visitor.getByRole('textbox', { name: 'Message' }).fill('I need help with my order');
  await expect(alice.locator('.ac-sneak-peek')).toHaveText('I need help with my order');
  await visitor.getByRole('button', { name: 'Send' }).click();
  const agentLog = alice.getByRole('log');
  await expect(agentLog).toContainText('I need help with my order');

  await alice.getByRole('textbox', { name: 'Message' }).fill('Happy to help, Alice here');
  // The visitor sees who is typing; her message ends it.
  await expect(visitor.getByText('Alice is typing…')).toBeVisible();
  await alice.getByRole('button', { name: 'Send' }).click();
  await expect(visitorLog).toContainText('Happy to help, Alice here');
  await expect(visitor.getByText('Alice is typing…')).toHaveCount(0);
  await expect(visitorLog.locator('.rd-name').last()).toHaveText('Alice');
  // The bot kept quiet while Alice was in the chat.
  await expect(visitorLog).not.toContainText('Bot heard: I need help');

  // A single-page-app navigation on the host page reaches the agent.
  await visitor.evaluate(() => history.pushState({}, '', '/checkout?step=2'));
  await expect(alice.locator('.ac-current-page')).toHaveText(`${HOST_ORIGIN}/checkout?step=2`);
  expect(new URL(visitor.url()).pathname).toBe('/checkout');

  await alice.getByRole('textbox', { name: 'Transfer to agent' }).fill(BOB.id);
  await alice.getByRole('button', { name: 'Transfer' }).click();
  await expect(visitorLog).toContainText('Bob joined');
  await expect(visitorLog).toContainText('Alice left');

  const bob = await consoleFor(browser, BOB.key);
  await bob.getByRole('region', { name: 'Live chats' }).getByRole('button').first().click();
  await bob.getByRole('button', { name: 'Leave' }).click();
  await expect(visitorLog).toContainText('Bob left');
  await say('anyone there?');
  await expect(visitorLog).toContainText('Bot heard: anyone there?');

  await bob.getByRole('button', { name: 'End chat' }).click();
  await expect(visitorLog).toContainText('Conversation ended');
});

test("a visitor's files reach the agent as a link with name and size (an image inline) that opens the bytes", async ({ browser }) => {
  const visitor = await (await browser.newContext()).newPage();
  await openHostPage(visitor, server, { init: { alwaysOpen: true } });
  await expect(visitor.getByRole('log')).toContainText('Hello from the bot');
  await visitor.getByRole('textbox', { name: 'Message' }).fill('human');
  await visitor.getByRole('button', { name: 'Send' }).click();
  await expect(visitor.getByRole('log')).toContainText('A person will join the chat shortly.');

  const alice = await consoleFor(browser, ALICE.key);
  await alice.getByRole('region', { name: 'Queue' }).getByRole('button').first().click();
  await alice.getByRole('button', { name: 'Join' }).click();
  await expect(visitor.getByRole('log')).toContainText('Alice joined');

  const notes = Buffer.from('order 1234: the lid is cracked\n'.repeat(100));
  const send = async (name: string, mimeType: string, buffer: Buffer) => {
    const chooser = visitor.waitForEvent('filechooser');
    await visitor.getByRole('button', { name: 'Attach file' }).click();
    await (await chooser).setFiles({ name, mimeType, buffer });
  };
  await send('notes.txt', 'text/plain', notes);
  const agentLog = alice.getByRole('log');
  const link = agentLog.getByRole('link', { name: 'notes.txt (3 KB)' });
  await expect(link).toHaveAttribute('href', new RegExp(`^${server.url}/files/[0-9a-f-]{36}\\?expires=\\d+&signature=`));
  await expect(link).toHaveAttribute('rel', /\bnoopener\b/);
  // The signed link alone opens the file (no visitor token, no cookie).
  const href = (await link.getAttribute('href'))!;
  const res = await fetch(href);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(notes)).toBe(true);

  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
  await send('broken order.png', 'image/png', png);
  await expect(agentLog.getByRole('img', { name: 'broken order.png' })).toHaveJSProperty('naturalWidth', 1);

  // Opened again (get_chat), the files are there with fresh links.
  await alice.reload();
  await alice.getByRole('textbox', { name: 'Agent key' }).fill(ALICE.key);
  await alice.getByRole('button', { name: 'Log in' }).click();
  await alice.getByRole('region', { name: 'Live chats' }).getByRole('button').first().click();
  await expect(alice.getByRole('log').getByRole('link', { name: 'notes.txt (3 KB)' })).toBeVisible();
  await expect(alice.getByRole('log').getByRole('img', { name: 'broken order.png' })).toHaveJSProperty('naturalWidth', 1);
  expect(await accessibilityViolations(alice)).toEqual([]);
});
