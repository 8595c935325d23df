import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { chat, openHostileSite, violations, waitForReady, withoutConstructableStylesheets } from './support/hostile-page';
import type { RunningServer } from './support/server';

// The widget on pages served with a strict Content-Security-Policy: no 'unsafe-inline', no
// 'unsafe-eval', no HTML sinks (Trusted Types). The page's own scripts are external files
// (hostile-page.ts); a recorder loaded first in <head> collects `securitypolicyviolation` events,
// and the console is checked for CSP errors too.

/** The policy for a page whose widget talks to `server`, with `style` as its style-src. */
function policy(server: RunningServer, style: string): string {
  const { origin, host } = new URL(server.url);
  return [
    "default-src 'self'",
    `script-src 'self' ${origin}`,
    `connect-src ${origin} ws://${host}`,
    `style-src ${style}`,
    // Every HTML sink (innerHTML, insertAdjacentHTML, document.write...) refused outright.
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

/** Console messages about the Content Security Policy. */
function cspConsole(page: Page): string[] {
  const messages: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Trusted ?(Type|HTML)/i.test(message.text())) messages.push(message.text());
  });
  return messages;
}

/** Computed styles of the roundel that only styles.css gives it. */
function roundelStyle(page: Page) {
  return page.getByRole('button', { name: 'Open chat' }).evaluate((button) => {
    const style = getComputedStyle(button);
    return { width: style.width, height: style.height, borderRadius: style.borderRadius, background: style.backgroundColor, position: getComputedStyle(button.parentElement!).position };
  });
}

const STYLED = { width: '56px', height: '56px', borderRadius: '50%', background: 'rgb(37, 99, 235)', position: 'fixed' };

test("strict policy (style-src 'self'): styled, working, and not one violation", async ({ page, server }) => {
  const console = cspConsole(page);
  await openHostileSite(page, server, {
    csp: policy(server, "'self'"),
    css: 'h1 { color: rgb(1, 2, 3); }',
    init: { theme: { primary: 'rgb(37, 99, 235)', radius: '12px' } },
  });
  await waitForReady(page);
  expect(await roundelStyle(page)).toEqual(STYLED);
  await chat(page, 'hello under CSP');
  // The page's own stylesheet applies: the policy allows 'self', and the recorder is live.
  await expect(page.locator('h1')).toHaveCSS('color', 'rgb(1, 2, 3)');
  expect(await violations(page)).toBe('');
  expect(console).toEqual([]);
});

test('control: the policy is enforced and violations are recorded (an inline script, an HTML sink)', async ({ page, server }) => {
  const console = cspConsole(page);
  await openHostileSite(page, server, { csp: policy(server, "'self'"), head: '<script>window.__inline = 1;</script>' });
  await waitForReady(page);
  const sink = await page.evaluate(() => {
    try {
      document.body.insertAdjacentHTML('beforeend', '<b>markup</b>');
      return 'inserted';
    } catch (error) {
      return (error as Error).name;
    }
  });
  expect({ inline: await page.evaluate(() => (window as { __inline?: number }).__inline), sink }).toEqual({ inline: undefined, sink: 'TypeError' });
  expect(await violations(page)).toBe('script-src-elem inline\nrequire-trusted-types-for trusted-types-sink\n');
  expect(console).toEqual([expect.stringMatching(/^Executing inline script violates .* directive 'script-src /), expect.stringMatching(/TrustedHTML/)]);
});

test('without constructable stylesheets: the nonce option styles the widget through <style nonce>, no violation', async ({ page, server }) => {
  const console = cspConsole(page);
  await withoutConstructableStylesheets(page);
  await openHostileSite(page, server, { csp: policy(server, "'nonce-abc'"), init: { nonce: 'abc' } });
  await waitForReady(page);
  expect(await roundelStyle(page)).toEqual(STYLED);
  await chat(page, 'hello with a nonce');
  // The shell's styles, then the panel's (its chunk loaded by now): each a <style nonce>.
  const style = await page.evaluate(() => {
    const root = document.querySelector('#servisbot-messenger')!.shadowRoot!;
    const first = root.firstElementChild as HTMLStyleElement;
    return { tag: first.localName, nonces: [...root.querySelectorAll('style')].map((s) => s.nonce), adopted: 'adoptedStyleSheets' in root };
  });
  expect(style).toEqual({ tag: 'style', nonces: ['abc', 'abc'], adopted: false });
  expect(await violations(page)).toBe('');
  expect(console).toEqual([]);
});

test('without constructable stylesheets: data-nonce on the zero-JS tag works the same', async ({ page, server }) => {
  const console = cspConsole(page);
  await withoutConstructableStylesheets(page);
  await openHostileSite(page, server, {
    csp: policy(server, "'nonce-abc'"),
    tagAttributes: 'data-organization="acme" data-endpoint="acme-demo" data-nonce="abc"',
  });
  await expect(page.getByRole('button', { name: 'Open chat' })).toBeVisible();
  expect(await roundelStyle(page)).toEqual(STYLED);
  await chat(page, 'hello from the tag');
  expect(await violations(page)).toBe('');
  expect(console).toEqual([]);
});

test('control: without the nonce the policy blocks the fallback <style>, and the roundel is unstyled', async ({ page, server }) => {
  const console = cspConsole(page);
  await withoutConstructableStylesheets(page);
  await openHostileSite(page, server, { csp: policy(server, "'nonce-abc'") });
  await waitForReady(page);
  expect(await roundelStyle(page)).not.toEqual(STYLED);
  // The shell's <style>, and the panel's too once its chunk has loaded (after Ready, when idle).
  expect(await violations(page)).toMatch(/^(style-src-elem inline\n){1,2}$/);
  expect(console.length).toBeGreaterThan(0);
  for (const line of console) expect(line).toMatch(/^Applying inline style violates .* directive 'style-src 'nonce-abc''/);
});
