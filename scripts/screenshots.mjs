// `npm run screenshots`: the README's pictures of the widget (docs/screenshots/*.png), taken in
// Chromium from the built bundle against the built server with the demo bot, like the e2e suite.
// Needs `npm run build` first. Chromium: $CHROMIUM_PATH, else /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from '@playwright/test';

const out = 'docs/screenshots';
// The flags of playwright.config.ts: keep Chromium off the network (loopback only here).
const { args } = JSON.parse(readFileSync(new URL('./chromium.json', import.meta.url), 'utf8'));

/** Starts `roundel serve --port 0` on a temp database (no config: the demo endpoint and bot); resolves with its URL. */
function startServer(dataDir, extraArgs = []) {
  const child = spawn(process.execPath, ['bin/roundel.mjs', 'serve', '--port', '0', '--host', '127.0.0.1', '--db', join(dataDir, 'roundel.db'), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its logs are only worth showing when it fails to start.
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /http:\/\/[\w.[\]:-]+:\d+/.exec(line);
      if (match) resolve(match[0]);
    });
    exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${log}`)));
  });
  return { url, stop: () => (child.kill('SIGTERM'), exited) };
}

/** A host page on the server's own origin that loads the bundle with `init` options (for RTL). */
const hostPage = (init) => `<!doctype html><html lang="${init.lang ?? 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Roundel</title>
<link rel="stylesheet" href="/demo.css"></head><body>
<header class="shop-header"><strong>Northwind Outfitters</strong></header>
<script src="/messenger.js"></script>
<script>ServisBot.init(${JSON.stringify({ organization: 'acme', endpoint: 'acme-demo', ...init })});</script>
</body></html>`;

async function shoot(browser, base, name, { viewport = { width: 960, height: 700 }, colorScheme = 'light', page: path = '/', html, open = true, clip }) {
  const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce', deviceScaleFactor: 1 });
  const page = await context.newPage();
  if (html) await page.route(`${base}${path}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto(`${base}${path}`);
  const widget = page.locator('#servisbot-messenger');
  // The greeting (with its quick replies) is what a visitor meets first.
  await widget.locator('.rd-reply').first().waitFor({ state: 'attached' });
  if (open) {
    await widget.locator('.rd-roundel').click();
    await widget.locator('.rd-input').fill('Do you ship to Canada? https://example.com/shipping');
    await widget.locator('.rd-send').click();
    await widget.locator('.rd-bot').nth(1).waitFor();
    await widget.locator('.rd-input').fill('');
    await widget.locator('.rd-input').blur();
    await page.mouse.move(0, 0);
  }
  await page.screenshot({ path: join(out, `${name}.png`), clip: clip?.(viewport) });
  await context.close();
  console.log(`${out}/${name}.png`);
}

/** A bot that answers "cards" with a rich message: Markdown and a carousel of three cards with images and buttons. */
const CARDS_BOT = `export default {
  async onStart(ctx) { await ctx.say('Hi! Looking for a gift? Say **cards**.'); },
  async onMessage(ctx, text) {
    if (text !== 'cards') return ctx.say('Picked: ' + text);
    const image = (name, alt) => ({ url: 'https://images.example/' + name + '.svg', alt });
    await ctx.say('**Spring sale** on kitchen classics, _this week only_:', {
      cards: [
        { title: 'Steel kettle', subtitle: '1.7 l, boils in 3 minutes', image: image('kettle', 'A steel kettle'), buttons: [{ title: 'Add to cart', postback: 'add kettle' }, { title: 'Details', url: 'https://example.com/kettle' }] },
        { title: 'Red toaster', subtitle: 'Four slots, defrost', image: image('toaster', 'A red toaster'), buttons: [{ title: 'Add to cart', postback: 'add toaster' }] },
        { title: 'Blender', subtitle: 'Glass jug, 1.5 l', image: image('blender', 'A blender'), buttons: [{ title: 'Add to cart', postback: 'add blender' }] },
      ],
    });
  },
};`;

/** A flat picture for a card: a rounded square in the product's colour. */
const picture = (colour) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="220" height="120"><rect width="220" height="120" fill="#eef2ff"/><rect x="70" y="20" width="80" height="80" rx="18" fill="${colour}"/><circle cx="110" cy="60" r="18" fill="#fff" opacity=".7"/></svg>`;
const PICTURES = { kettle: '#64748b', toaster: '#dc2626', blender: '#0891b2' };

/** The carousel: its own server with the cards bot; the images come from the page's routes (no network). */
async function shootCards(browser, clip) {
  const dir = mkdtempSync(join(tmpdir(), 'roundel-screens-cards-'));
  writeFileSync(join(dir, 'cards-bot.mjs'), CARDS_BOT);
  const config = join(dir, 'roundel.config.json');
  writeFileSync(config, JSON.stringify({ endpoints: [{ organization: 'acme', endpoint: 'acme-demo', bot: './cards-bot.mjs', allowedOrigins: [], apiKey: 'screenshots-key-0123456789abcdef', title: 'Northwind help' }] }));
  const cards = startServer(dir, ['--config', config]);
  try {
    const base = await cards.url;
    const viewport = { width: 960, height: 700 };
    const context = await browser.newContext({ viewport, reducedMotion: 'reduce', deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.route('https://images.example/*', (route) => {
      const name = new URL(route.request().url()).pathname.slice(1, -4);
      return route.fulfill({ contentType: 'image/svg+xml', body: picture(PICTURES[name] ?? '#2563eb') });
    });
    await page.route(`${base}/cards.html`, (route) => route.fulfill({ contentType: 'text/html', body: hostPage({}) }));
    await page.goto(`${base}/cards.html`);
    const widget = page.locator('#servisbot-messenger');
    await widget.locator('.rd-roundel').click();
    await widget.locator('.rd-input').fill('cards');
    await widget.locator('.rd-send').click();
    await widget.locator('.rd-card img').last().waitFor();
    await page.waitForFunction(() => [...document.querySelector('#servisbot-messenger').shadowRoot.querySelectorAll('.rd-card img')].every((img) => img.complete));
    await widget.locator('.rd-input').blur();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(out, 'cards.png'), clip: clip(viewport) });
    await context.close();
    console.log(`${out}/cards.png`);
  } finally {
    await cards.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'roundel-screens-'));
const server = startServer(dataDir);
let browser;
try {
  const base = await server.url;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
  mkdirSync(out, { recursive: true });
  // Cropped to the corner the widget lives in: small files, the widget at full size.
  const corner = (side) => ({ width, height }) => ({ x: side === 'left' ? 0 : width - 420, y: height - 640, width: 420, height: 640 });
  await shoot(browser, base, 'closed', { open: false, clip: ({ width, height }) => ({ x: width - 420, y: height - 200, width: 420, height: 200 }) });
  await shoot(browser, base, 'open', { clip: corner('right') });
  await shoot(browser, base, 'rtl', { page: '/rtl.html', html: hostPage({ lang: 'ar' }), clip: corner('left') });
  await shoot(browser, base, 'dark', { colorScheme: 'dark', clip: corner('right') });
  await shoot(browser, base, 'mobile', { viewport: { width: 375, height: 667 } });
  await shootCards(browser, corner('right'));
} finally {
  await browser?.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
