import { expect, type Page } from '@playwright/test';
import { HOST_ORIGIN, type RunningServer } from './server';

/** A host page for the hostile-* specs; every part is optional. */
export interface HostileSite {
  /** HTML at the start of <body>: the page's own content. */
  body?: string;
  /** Served as /page.css and linked from <head> (a stylesheet passes `style-src 'self'`). */
  css?: string;
  /** Served as /before.js and run before messenger.js: the page breaks things before we load. */
  before?: string;
  /** Served as /after.js and run between messenger.js and the page's init: after we loaded. */
  after?: string;
  /** `ServisBot.init` options over `{ organization: 'acme', endpoint: 'acme-demo' }`. */
  init?: Record<string, unknown>;
  /** Attributes of the messenger.js tag (`data-organization="acme" ...`): the zero-JS install, no init call. */
  tagAttributes?: string;
  /** The page's Content-Security-Policy header. */
  csp?: string;
  /** Extra HTML in <head> after the recorder, e.g. an inline script the policy must block. */
  head?: string;
  /** False: the same page without the widget (no messenger.js, no init). */
  widget?: boolean;
  /**
   * Page scripts run by clicking a `#NAME` button (see {@link act}): for breaking built-ins
   * while the conversation runs without Playwright's evaluate, which needs them.
   */
  actions?: Record<string, string>;
}

/**
 * The page's own script, /host.js: an external file, so it runs under a policy without
 * 'unsafe-inline'. It inits the widget and writes every host event as a line into
 * `<pre id="events" hidden>` (hidden: out of the layout the CSS specs compare), using only strings
 * and the DOM, so a page that has broken `Array.prototype` or `JSON` can still record; specs read
 * the lines through locators (Playwright's utility world, which the page's built-ins do not reach).
 *
 * The `#exercise` button calls every API method with valid input, ending with the messenger
 * closed, and writes `ok` into `<pre id="exercised">`, or the failures, one a line.
 */
function hostScript(init: Record<string, unknown>): string {
  const options = JSON.stringify(init);
  return `(function () {
  var out = document.getElementById('events');
  var record = function (line) { out.textContent += line + '\\n'; };
  var api = window.__api = ServisBot.init(${options});
  api.on('Messenger', function (e) { record('Messenger ' + e.type + ' ' + e.value + (e.conversationId ? ' ' + e.conversationId : '')); });
  api.on('notification', function (message) { record('notification ' + message); });
  document.getElementById('exercise').addEventListener('click', function () {
    var failures = '';
    var attempt = function (name, call) {
      try {
        var result = call();
        // The page handles what the promises settle to: an unhandled rejection would be the page's own.
        if (result && typeof result.then === 'function') result.then(function () {}, function () {});
      } catch (error) {
        failures += name + ': ' + error + '\\n';
      }
    };
    var handler = function () {};
    attempt('init again', function () { if (typeof ServisBot.init(${options}).open !== 'function') throw new Error('no API'); });
    attempt('on', function () { api.on('notification', handler)(); });
    attempt('off', function () { api.on('Messenger', handler); api.off('Messenger', handler); });
    attempt('open', function () { api.open(); });
    attempt('close', function () { api.close(); });
    attempt('toggle', function () { api.toggle(); api.toggle(); });
    attempt('pageEvent alias', function () { return api.pageEvent('viewed-pricing'); });
    attempt('pageEvent body', function () { return api.pageEvent({ alias: 'checkout', body: { plan: 'pro', items: [1, 2] } }); });
    attempt('rewriteContext', function () { return api.rewriteContext({ plan: 'gold', tags: ['a'] }); });
    attempt('reset', function () { return api.reset(); });
    document.getElementById('exercised').textContent = failures || 'ok';
  });
})();
`;
}

/** Records CSP violations (from the first script of <head>) as lines in `window.__violations`. */
const VIOLATION_RECORDER = `window.__violations = '';
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations += e.effectiveDirective + ' ' + e.blockedURI + '\\n';
}, true);
`;

/**
 * Records uncaught errors and unhandled rejections in `window.__uncaught` (one a line) before any
 * page script runs. Strings only, so it keeps working while the page breaks built-ins.
 */
export const UNCAUGHT_RECORDER = `window.__uncaught = '';
window.addEventListener('error', function (e) { window.__uncaught += 'error: ' + e.message + '\\n'; });
window.addEventListener('unhandledrejection', function (e) { window.__uncaught += 'unhandledrejection: ' + e.reason + '\\n'; });
`;

/**
 * Serves a host page at HOST_ORIGIN (Playwright routing, like openHostPage) whose scripts are all
 * external files (/recorder.js, /before.js, messenger.js from the server, /after.js, /host.js),
 * with the site's CSP header on every response, and opens it.
 */
export async function openHostileSite(page: Page, server: RunningServer, site: HostileSite = {}): Promise<void> {
  const init = { organization: 'acme', endpoint: 'acme-demo', ...site.init };
  const widget = site.widget ?? true;
  const files: Record<string, { type: string; body: string }> = {
    '/': {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hostile shop</title>
<script src="/recorder.js"></script>
${site.head ?? ''}
${site.css === undefined ? '' : '<link rel="stylesheet" href="/page.css">'}
</head>
<body>
${site.body ?? '<h1>Hostile shop</h1>'}
<pre id="events" hidden></pre>
<button id="exercise" type="button">Exercise the API</button>
<pre id="exercised"></pre>
${site.before === undefined ? '' : '<script src="/before.js"></script>'}
${widget ? `<script src="${server.url}/messenger.js" ${site.tagAttributes ?? ''}></script>` : ''}
${site.after === undefined ? '' : '<script src="/after.js"></script>'}
${widget && site.tagAttributes === undefined ? '<script src="/host.js"></script>' : ''}
${Object.keys(site.actions ?? {})
  .map((name) => `<button id="${name}" type="button">${name}</button>`)
  .join('\n')}
<script src="/actions.js"></script>
</body></html>`,
    },
    '/recorder.js': { type: 'text/javascript', body: VIOLATION_RECORDER },
    '/host.js': { type: 'text/javascript', body: hostScript(init) },
    '/before.js': { type: 'text/javascript', body: site.before ?? '' },
    '/after.js': { type: 'text/javascript', body: site.after ?? '' },
    '/page.css': { type: 'text/css', body: site.css ?? '' },
    '/actions.js': {
      type: 'text/javascript',
      body: Object.entries(site.actions ?? {})
        .map(([name, script]) => `document.getElementById('${name}').addEventListener('click', function () {\n${script}\n});`)
        .join('\n'),
    },
  };
  await page.route(`${HOST_ORIGIN}/**`, (route) => {
    const file = files[new URL(route.request().url()).pathname];
    const headers: Record<string, string> = site.csp ? { 'Content-Security-Policy': site.csp } : {};
    return file
      ? route.fulfill({ status: 200, contentType: file.type, headers, body: file.body })
      : route.fulfill({ status: 404, contentType: 'text/plain', headers, body: 'not found' });
  });
  await page.goto(`${HOST_ORIGIN}/`);
}

/** The host events recorded so far, one a line (`Messenger CONVERSATION Ready <id>`). */
export function eventLog(page: Page) {
  return page.locator('#events');
}

/** Waits for `CONVERSATION Ready` in the event log. */
export async function waitForReady(page: Page): Promise<void> {
  await expect(eventLog(page)).toContainText(/Messenger CONVERSATION Ready [0-9a-f-]{36}/);
}

/** Runs the page action `name` (a click on its button). */
export async function act(page: Page, name: string): Promise<void> {
  await page.locator(`#${name}`).click();
}

/**
 * Clicks `#exercise` (every API method with valid input; the messenger ends closed) and resolves
 * with what it wrote: `ok`, or the failures. A click, not page.evaluate: Playwright's evaluate
 * runs code in the page's world, where the page may have broken the built-ins it needs.
 */
export async function exercise(page: Page): Promise<string> {
  const exercised = page.locator('#exercised');
  await page.locator('#exercise').click();
  await expect(exercised).not.toBeEmpty();
  return (await exercised.textContent()) ?? '';
}

/** The CSP violations recorded so far (`effectiveDirective blockedURI`, one a line). */
export function violations(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __violations: string }).__violations);
}

/** Uncaught errors and unhandled rejections recorded by {@link UNCAUGHT_RECORDER}. */
export function uncaught(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __uncaught: string }).__uncaught);
}

/** Opens the messenger when it is closed, sends `text` and waits for the e2e bot's echo. */
export async function chat(page: Page, text: string): Promise<void> {
  const roundel = page.getByRole('button', { name: 'Open chat' });
  if ((await roundel.count()) === 1) await roundel.click();
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('log')).toContainText(`You said: ${text}`);
}

/** No constructable stylesheets, as in Safari before 16.4 and Firefox before 101: the widget falls back to a <style>. */
export async function withoutConstructableStylesheets(page: Page): Promise<void> {
  await page.addInitScript(() => {
    delete (Document.prototype as Partial<Document>).adoptedStyleSheets;
    delete (ShadowRoot.prototype as Partial<ShadowRoot>).adoptedStyleSheets;
  });
}
