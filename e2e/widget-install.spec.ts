import { expect, test } from './support/fixtures';
import { HOST_ORIGIN } from './support/server';
import { serveHostPage } from './support/widget-pages';

declare global {
  interface Window {
    __log: string[];
  }
}

test('the zero-JS tag: data-* attributes initialise the widget, reachable as ServisBot.instance and by servisbot:ready', async ({ page, server }) => {
  await serveHostPage(
    page,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Zero-JS shop</title>
<script>
  window.__log = [];
  window.addEventListener('servisbot:ready', (event) => {
    window.__log.push('ready:' + (event.detail === window.ServisBot.instance));
    event.detail.on('Messenger', (e) => window.__log.push(e.type + ':' + e.value));
  });
</script>
<script src="${server.url}/messenger.js" data-organization="acme" data-endpoint="acme-demo" data-always-open="true" data-context='{"tier":"gold"}' async></script>
</head><body><h1>Zero-JS shop</h1></body></html>`,
  );
  await expect.poll(() => page.evaluate(() => window.__log)).toEqual(['ready:true', 'CONVERSATION:Ready']);
  expect(await page.evaluate(() => Object.keys(window.ServisBot.instance!).sort())).toEqual([
    'close', 'destroy', 'hide', 'off', 'on', 'open', 'pageEvent', 'reset', 'rewriteContext', 'show', 'toggle',
  ]);
  // data-always-open: no roundel, the conversation shown; data-context reached the bot.
  await expect(page.getByRole('button', { name: /chat$/ })).toHaveCount(0);
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('context');
  await box.press('Enter');
  await expect(page.getByRole('log')).toContainText('context={"tier":"gold"}');
});

test('the async snippet: calls made before messenger.js loaded are replayed in order, and the stub keeps working', async ({ page, server }) => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(`${server.url}/messenger.js`, async (route) => {
    await released;
    await route.continue();
  });
  const snippet = `(function (w, d, src) {
    if (w.ServisBot) return;
    var q = [], api = {};
    'on off pageEvent open close toggle reset rewriteContext destroy'.split(' ').forEach(function (m) {
      api[m] = function () {
        var args = [].slice.call(arguments);
        return new Promise(function (resolve, reject) { q.push([m, args, resolve, reject]); });
      };
    });
    w.ServisBot = { q: q, init: function (options) { q.push(['init', [options]]); return api; } };
    var s = d.createElement('script'); s.async = true; s.src = src; d.head.appendChild(s);
  })(window, document, '${server.url}/messenger.js');`;
  await serveHostPage(
    page,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Snippet shop</title>
<script>${snippet}</script>
<script>
  window.__log = [];
  var messenger = ServisBot.init({ organization: 'acme', endpoint: 'acme-demo' });
  messenger.on('Messenger', function (e) { window.__log.push(e.type + ':' + e.value); });
  messenger.on('notification', function (m) { window.__log.push('notification:' + m); });
  messenger.pageEvent({ alias: 'viewed-pricing', body: { plan: 'pro' } }).then(function () { window.__log.push('accepted'); });
</script>
</head><body><h1>Snippet shop</h1></body></html>`,
    { waitUntil: 'domcontentloaded' },
  );
  // Everything is still queued: the bundle has not arrived.
  expect(await page.evaluate(() => ({ queued: (window.ServisBot as unknown as { q: unknown[] }).q.length, version: window.ServisBot.version }))).toEqual({
    queued: 4,
    version: undefined,
  });

  release();
  await expect.poll(() => page.evaluate(() => window.__log)).toEqual([
    'CONVERSATION:Ready',
    'accepted',
    'notification:page:viewed-pricing:{"plan":"pro"}',
  ]);
  expect(await page.evaluate(() => typeof window.ServisBot.version)).toBe('string');

  // The stub object the page kept now forwards at once.
  await page.evaluate(() => (window as unknown as { messenger: { pageEvent(alias: string): Promise<void> } }).messenger.pageEvent('checkout'));
  await expect.poll(() => page.evaluate(() => window.__log.at(-1))).toBe('notification:page:checkout:{}');
  expect(page.url()).toBe(`${HOST_ORIGIN}/`);
});
