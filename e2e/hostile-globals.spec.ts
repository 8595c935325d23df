import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { act, chat, eventLog, exercise, openHostileSite, UNCAUGHT_RECORDER, uncaught, waitForReady } from './support/hostile-page';

// Pages that break the built-ins the widget uses: before it loads (an init script, /before.js),
// after it loaded (/after.js, before the page's init), or while the conversation runs (a page
// action). The bar everywhere: nothing reaches window.onerror or unhandledrejection, and `init`
// returns an API whose methods do not throw for valid input; where the page left enough intact,
// the chat works.

test.beforeEach(async ({ page }) => {
  await page.addInitScript(UNCAUGHT_RECORDER);
});

/** Uncaught errors as Chromium reports them to Playwright (no page script involved). */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  return errors;
}

/** Neither the recorder in the page nor Chromium saw an uncaught error or unhandled rejection. */
async function expectNothingUncaught(page: Page, errors: string[]): Promise<void> {
  expect(await uncaught(page)).toBe('');
  expect(errors).toEqual([]);
}

/** The ROUNDEL events `exercise` causes from a closed messenger: open, close, toggle, toggle. */
const EXERCISED = ['Messenger ROUNDEL Opened', 'Messenger ROUNDEL Closed', 'Messenger ROUNDEL Opened', 'Messenger ROUNDEL Closed'];

test.describe('WebSocket', () => {
  test('a constructor that throws, set before we load: no throw, the API works, the widget shows Reconnecting…', async ({ page, server }) => {
    const errors = pageErrors(page);
    await page.addInitScript(() => {
      window.WebSocket = function () {
        throw new Error('hostile: no sockets here');
      } as unknown as typeof WebSocket;
    });
    await openHostileSite(page, server);
    expect(await exercise(page)).toBe('ok');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect(page.getByRole('status')).toHaveText('Reconnecting…');
    await expect(eventLog(page)).toHaveText([...EXERCISED, 'Messenger ROUNDEL Opened', ''].join('\n'));
    await expectNothingUncaught(page, errors);
  });

  test('a constructor that returns a dud, set before we load: messages wait as Sending…, nothing throws', async ({ page, server }) => {
    const errors = pageErrors(page);
    await page.addInitScript(() => {
      window.WebSocket = function () {
        return { readyState: 0 };
      } as unknown as typeof WebSocket;
    });
    await openHostileSite(page, server);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('anyone there?');
    await page.getByRole('button', { name: 'Send' }).click();
    const log = page.getByRole('log');
    await expect(log.getByText('anyone there?', { exact: true })).toBeVisible();
    await expect(log.getByText('Sending…', { exact: true })).toBeVisible();
    expect(await exercise(page)).toBe('ok');
    await expectNothingUncaught(page, errors);
  });

  test('replaced after init: the widget keeps the constructor it captured, across a reconnect', async ({ page, server }) => {
    const errors = pageErrors(page);
    await openHostileSite(page, server, {
      actions: {
        'break-websocket': `
          window.WebSocket = function () { throw new Error('hostile: no sockets here'); };
          // The browser going offline and back: the widget drops its socket and opens a new one.
          window.dispatchEvent(new Event('offline'));
          window.dispatchEvent(new Event('online'));`,
      },
    });
    await waitForReady(page);
    await act(page, 'break-websocket');
    await chat(page, 'still here');
    await expectNothingUncaught(page, errors);
  });
});

test.describe('JSON', () => {
  const cases = {
    'throwing functions': `
      JSON.parse = function () { throw new Error('hostile: JSON.parse'); };
      JSON.stringify = function () { throw new Error('hostile: JSON.stringify'); };`,
    'functions returning garbage': `
      JSON.parse = function () { return { garbage: true }; };
      JSON.stringify = function () { return '{"garbage":true}'; };`,
  };
  for (const [kind, breakJson] of Object.entries(cases)) {
    test(`replaced with ${kind} while the conversation runs: nothing throws; once restored, what was sent meanwhile arrives`, async ({ page, server }) => {
      test.setTimeout(45_000);
      const errors = pageErrors(page);
      await openHostileSite(page, server, {
        actions: {
          'break-json': `window.__json = { parse: JSON.parse, stringify: JSON.stringify };${breakJson}`,
          'restore-json': `
            JSON.parse = window.__json.parse;
            JSON.stringify = window.__json.stringify;
            // Retry now rather than after the backoff the failures built up.
            window.dispatchEvent(new Event('online'));`,
        },
      });
      await waitForReady(page);
      await act(page, 'break-json');
      expect(await exercise(page)).toBe('ok');
      await page.getByRole('button', { name: 'Open chat' }).click();
      await page.getByRole('textbox', { name: 'Message' }).fill('sent while JSON was broken');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect(page.getByRole('log').getByText('sent while JSON was broken', { exact: true })).toBeVisible();
      await act(page, 'restore-json');
      // A request whose answer was lost to the garbage is sent again after the client's request
      // timeout (10 s); a socket dropped by the failures reconnects at once on 'online'.
      await expect(page.getByRole('log')).toContainText('You said: sent while JSON was broken', { timeout: 20_000 });
      await expectNothingUncaught(page, errors);
    });
  }
});

test('JSON replaced with throwing functions before we load: init with a context does not throw, the API works, nothing reaches the page', async ({ page, server }) => {
  const errors = pageErrors(page);
  await page.addInitScript(() => {
    JSON.parse = () => {
      throw new Error('hostile: JSON.parse');
    };
    JSON.stringify = () => {
      throw new Error('hostile: JSON.stringify');
    };
  });
  await openHostileSite(page, server, { init: { context: { plan: 'pro' } } });
  expect(await exercise(page)).toBe('ok');
  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(page.getByRole('status')).toHaveText('Reconnecting…');
  await expectNothingUncaught(page, errors);
});

test.describe('localStorage', () => {
  test('a getter that throws (private mode, cookies blocked): the chat works', async ({ page, server }) => {
    const errors = pageErrors(page);
    await page.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        configurable: true,
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    });
    await openHostileSite(page, server);
    await waitForReady(page);
    expect(await exercise(page)).toBe('ok');
    await chat(page, 'no storage');
    await expectNothingUncaught(page, errors);
  });

  test('setItem over quota and getItem returning garbage: the chat works', async ({ page, server }) => {
    const errors = pageErrors(page);
    await page.addInitScript(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
      Storage.prototype.getItem = () => '{"token": 42, "outbox": "garbage"';
    });
    await openHostileSite(page, server);
    await waitForReady(page);
    expect(await exercise(page)).toBe('ok');
    await chat(page, 'storage is full');
    await expectNothingUncaught(page, errors);
  });
});

const ARRAY_METHODS = ['map', 'filter', 'forEach', 'includes', 'push', 'some', 'every', 'indexOf', 'slice', 'splice', 'find', 'join'];
/** Page script: every method of ARRAY_METHODS saved, then replaced with a throwing function. */
const BREAK_ARRAYS = `window.__arrays = {};
${ARRAY_METHODS.map((name) => `window.__arrays.${name} = Array.prototype.${name};
Array.prototype.${name} = function () { throw new Error('hostile: Array.prototype.${name}'); };`).join('\n')}`;
/** Page script: the methods BREAK_ARRAYS replaced, put back. */
const RESTORE_ARRAYS = ARRAY_METHODS.map((name) => `Array.prototype.${name} = window.__arrays.${name};`).join('\n');

test.describe('Array.prototype', () => {
  test('methods replaced with throwing functions while the conversation runs: nothing throws; once restored, the chat works', async ({ page, server }) => {
    const errors = pageErrors(page);
    await openHostileSite(page, server, {
      actions: {
        'break-arrays': BREAK_ARRAYS,
        'restore-arrays': RESTORE_ARRAYS,
      },
    });
    await waitForReady(page);
    await act(page, 'break-arrays');
    // Opens and closes the messenger, which cannot render meanwhile (Preact needs arrays), sends a
    // page event and resets the conversation: the bot answers while nothing can take it in.
    expect(await exercise(page)).toBe('ok');
    await act(page, 'restore-arrays');
    await chat(page, 'arrays are back');
    await expectNothingUncaught(page, errors);
  });

  test('destroy while methods throw: the widget is gone, and a new init starts a new one', async ({ page, server }) => {
    const errors = pageErrors(page);
    await openHostileSite(page, server, {
      actions: {
        'break-arrays-and-destroy': `${BREAK_ARRAYS}\nwindow.__api.destroy();\n${RESTORE_ARRAYS}`,
        'init-again': `ServisBot.init({ organization: 'acme', endpoint: 'acme-demo' });`,
      },
    });
    await waitForReady(page);
    await act(page, 'break-arrays-and-destroy');
    await expect(page.locator('#servisbot-messenger')).toHaveCount(0);
    await act(page, 'init-again');
    await chat(page, 'a new widget');
    await expectNothingUncaught(page, errors);
  });

  test('includes replaced with a throwing function after we load: nothing throws; once restored, the chat works', async ({ page, server }) => {
    const errors = pageErrors(page);
    await openHostileSite(page, server, {
      after: `
        window.__includes = Array.prototype.includes;
        Array.prototype.includes = function () { throw new Error('hostile: Array.prototype.includes'); };`,
      actions: { 'restore-includes': `Array.prototype.includes = window.__includes;` },
    });
    expect(await exercise(page)).toBe('ok');
    await act(page, 'restore-includes');
    await chat(page, 'includes is back');
    await expectNothingUncaught(page, errors);
  });

  test('includes replaced with a throwing function after we load: the chat works', async ({ page, server }) => {
    const errors = pageErrors(page);
    await openHostileSite(page, server, {
      after: `Array.prototype.includes = function () { throw new Error('hostile: Array.prototype.includes'); };`,
    });
    await waitForReady(page);
    await chat(page, 'no includes');
    await expectNothingUncaught(page, errors);
  });

  test('methods returning garbage, set before we load: init returns an API that does not throw, nothing reaches the page', async ({ page, server }) => {
    const errors = pageErrors(page);
    await openHostileSite(page, server, {
      before: ARRAY_METHODS.map((name) => `Array.prototype.${name} = function () { return 42; };`).join('\n'),
    });
    expect(await exercise(page)).toBe('ok');
    await expectNothingUncaught(page, errors);
  });
});

test.describe('Object.prototype', () => {
  test('polluted before we load (x, then, option and payload names): the chat works', async ({ page, server }) => {
    const errors = pageErrors(page);
    await openHostileSite(page, server, {
      before: `
        Object.prototype.x = 'polluted';
        Object.prototype.then = function () { window.__thenCalls = (window.__thenCalls || 0) + 1; };
        Object.prototype.container = '#nowhere';
        Object.prototype.title = 42;
        Object.prototype.body = 'polluted body';`,
    });
    await waitForReady(page);
    expect(await exercise(page)).toBe('ok');
    await chat(page, 'polluted page');
    await expectNothingUncaught(page, errors);
  });
});
