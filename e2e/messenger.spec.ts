import { expect, test } from './support/fixtures';
import { hostEvents, openHostPage, waitForChatId, waitForReady } from './support/host-page';

const messengerEvents = (events: { name: string; payload: unknown }[]) =>
  events.filter((e) => e.name === 'Messenger').map((e) => e.payload);
const notifications = (events: { name: string; payload: unknown }[]) =>
  events.filter((e) => e.name === 'notification').map((e) => e.payload);

test.describe('the script tag and ServisBot.init', () => {
  test('defines ServisBot and the ServisBOT alias with a pinned surface', async ({ page, server }) => {
    await openHostPage(page, server);
    const surface = await page.evaluate(() => ({
      same: window.ServisBot === (window as unknown as { ServisBOT: unknown }).ServisBOT,
      members: Object.keys(window.ServisBot).sort(),
      api: Object.keys(window.__api).sort(),
    }));
    expect(surface.same).toBe(true);
    // `instance` (the living API object) joined the surface with the zero-JS install and async snippet.
    expect(surface.members).toEqual(['init', 'instance', 'version']);
    expect(surface.api).toEqual(['close', 'destroy', 'hide', 'off', 'on', 'open', 'pageEvent', 'reset', 'rewriteContext', 'show', 'toggle']);
  });

  test('emits CONVERSATION Ready with the conversation and chat ids, and never opens by itself', async ({ page, server }) => {
    await openHostPage(page, server);
    const conversationId = await waitForReady(page);
    const chatId = await waitForChatId(page);
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(chatId).toMatch(/^[0-9a-f-]{36}$/);
    expect(chatId).not.toBe(conversationId);
    const roundel = page.getByRole('button', { name: 'Open chat' });
    await expect(roundel).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('log')).toBeHidden();
    expect(messengerEvents(await hostEvents(page))).toEqual([{ type: 'CONVERSATION', value: 'Ready', conversationId, chatId }]);
  });

  test('init twice returns the living instance and renders one widget', async ({ page, server }) => {
    await openHostPage(page, server);
    const same = await page.evaluate(() => window.ServisBot.init({ organization: 'acme', endpoint: 'acme-demo' }) === window.__api);
    expect(same).toBe(true);
    await expect(page.locator('#servisbot-messenger')).toHaveCount(1);
  });

  test('bad options throw a TypeError naming the option', async ({ page, server }) => {
    await openHostPage(page, server);
    const errors = await page.evaluate(() => {
      const attempt = (options: unknown) => {
        try {
          window.__api.destroy();
          window.ServisBot.init(options);
          return 'no error';
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
      };
      return [
        attempt({ endpoint: 'acme-demo' }),
        attempt({ organization: 'acme', endpoint: 7 }),
        attempt({ organization: 'acme', endpoint: 'acme-demo', context: 'nope' }),
        attempt({ organization: 'acme', endpoint: 'acme-demo', dir: 'up' }),
      ];
    });
    expect(errors[0]).toMatch(/^TypeError: .*organization/);
    expect(errors[1]).toMatch(/^TypeError: .*endpoint/);
    expect(errors[2]).toMatch(/^TypeError: .*context/);
    expect(errors[3]).toMatch(/^TypeError: .*dir/);
  });
});

test.describe('the messenger', () => {
  test('opens and closes by click and by API, emitting ROUNDEL events', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const close = page.getByRole('button', { name: 'Close chat' });
    await expect(close).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByRole('log')).toBeVisible();
    await close.click();
    await expect(page.getByRole('log')).toBeHidden();
    await page.evaluate(() => window.__api.open());
    await page.evaluate(() => window.__api.open()); // already open: no second event
    await page.evaluate(() => window.__api.toggle());
    await page.evaluate(() => window.__api.toggle());
    await page.evaluate(() => window.__api.close());
    const roundel = messengerEvents(await hostEvents(page)).filter((e) => (e as { type: string }).type === 'ROUNDEL');
    expect(roundel.map((e) => (e as { value: string }).value)).toEqual(['Opened', 'Closed', 'Opened', 'Closed', 'Opened', 'Closed']);
  });

  test('shows the greeting, sends messages, and fires First User Interaction once', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    const log = page.getByRole('log');
    await expect(log).toContainText('Welcome to the test shop!');
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('hello bot');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(log).toContainText('You said: hello bot');
    await box.fill('second');
    await box.press('Enter');
    await expect(log).toContainText('You said: second');
    const interactions = messengerEvents(await hostEvents(page)).filter(
      (e) => (e as { value: string }).value === 'First User Interaction',
    );
    expect(interactions).toEqual([{ type: 'CONVERSATION', value: 'First User Interaction' }]);
  });

  test('quick replies are buttons named by their text and count as interaction', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    await page.getByRole('button', { name: 'Yes please' }).click();
    await expect(page.getByRole('log')).toContainText('You said: Yes please');
    await expect(page.getByRole('button', { name: 'Yes please' })).toHaveCount(0);
    expect(messengerEvents(await hostEvents(page))).toContainEqual({ type: 'CONVERSATION', value: 'First User Interaction' });
  });

  test('bot and host text is rendered as text, never as HTML', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    await page.getByRole('textbox', { name: 'Message' }).fill('html');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log')).toContainText('<img src=x onerror="window.__xss=1"><b>bold</b>');
    const injected = await page.evaluate(() => {
      const root = document.querySelector('#servisbot-messenger')!.shadowRoot!;
      return { img: root.querySelectorAll('img[src="x"]').length, b: root.querySelectorAll('b').length, xss: (window as { __xss?: number }).__xss };
    });
    expect(injected).toEqual({ img: 0, b: 0, xss: undefined });
  });

  test('renders into an open shadow root inside #servisbot-messenger on <body>', async ({ page, server }) => {
    await openHostPage(page, server);
    const placement = await page.evaluate(() => {
      const host = document.querySelector('#servisbot-messenger')!;
      return { parent: host.parentElement!.tagName, mode: host.shadowRoot?.mode };
    });
    expect(placement).toEqual({ parent: 'BODY', mode: 'open' });
  });
});

test.describe('host notifications', () => {
  test('reach notification handlers as plain strings; SB::: ones never do and toggle the composer', async ({ page, server }) => {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    const box = page.getByRole('textbox', { name: 'Message' });
    const send = page.getByRole('button', { name: 'Send' });
    await box.fill('notify hello host');
    await send.click();
    await page.waitForFunction(() => window.__events.some((e) => e.payload === 'hello host'));
    await box.fill('private SomethingElse');
    await send.click();
    await expect(page.getByRole('log')).toContainText('Sent a private notification');
    await box.fill('disable');
    await send.click();
    await expect(page.getByRole('log')).toContainText('Input disabled');
    await expect(box).toBeDisabled();
    await expect(send).toBeDisabled();
    await page.evaluate(() => window.__api.pageEvent('enable-input'));
    await expect(box).toBeEnabled();
    await box.fill('notify after');
    await send.click();
    await page.waitForFunction(() => window.__events.some((e) => e.payload === 'after'));
    expect(notifications(await hostEvents(page))).toEqual(['hello host', 'after']);
  });

  test('a throwing host handler does not break the widget or other handlers', async ({ page, server }) => {
    await openHostPage(page, server, {
      beforeInit: `window.__pageErrors = []; window.addEventListener('error', (e) => window.__pageErrors.push(String(e.message)));`,
    });
    await page.evaluate(() => {
      window.__api.on('notification', () => {
        throw new Error('host bug');
      });
      window.__api.on('notification', (m) => window.__events.push({ name: 'notification', payload: `second:${String(m)}` }));
    });
    await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    await page.getByRole('textbox', { name: 'Message' }).fill('notify ping');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(() => window.__events.some((e) => e.payload === 'second:ping'));
    await page.getByRole('textbox', { name: 'Message' }).fill('still working');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log')).toContainText('You said: still working');
  });

  test('on returns an unsubscribe function and off removes a handler', async ({ page, server }) => {
    await openHostPage(page, server);
    await page.evaluate(() => {
      const seen: unknown[] = ((window as unknown as { __seen: unknown[] }).__seen = []);
      const unsubscribe = window.__api.on('notification', (m) => seen.push(`a:${String(m)}`));
      const b = (m: unknown) => seen.push(`b:${String(m)}`);
      window.__api.on('notification', b);
      unsubscribe();
      window.__api.off('notification', b);
    });
    await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    await page.getByRole('textbox', { name: 'Message' }).fill('notify x');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(() => window.__events.some((e) => e.payload === 'x'));
    expect(await page.evaluate(() => (window as unknown as { __seen: unknown[] }).__seen)).toEqual([]);
  });
});

test.describe('page events', () => {
  test('reach onPageEvent with the body as payload.user.context; calls before Ready are queued', async ({ page, server }) => {
    await openHostPage(page, server, {
      body: '<script>window.__early = [];</script>',
    });
    // Called synchronously after init, before the conversation is Ready.
    const early = await page.evaluate(() => {
      return window.__api.pageEvent({ alias: 'viewed-pricing', body: { plan: 'pro' } }).then(() => 'accepted');
    });
    expect(early).toBe('accepted');
    await page.evaluate(() => window.__api.pageEvent('checkout'));
    await page.waitForFunction(() => window.__events.filter((e) => String(e.payload).startsWith('page:')).length === 2);
    expect(notifications(await hostEvents(page)).filter((m) => String(m).startsWith('page:'))).toEqual([
      'page:viewed-pricing:{"plan":"pro"}',
      'page:checkout:{}',
    ]);
    await page.evaluate(() => window.__api.open());
    await expect(page.getByRole('log')).toContainText('page event viewed-pricing {"plan":"pro"}');
  });
});

test.describe('conversation lifecycle', () => {
  test('survives a reload: same id, transcript restored, no notification re-emitted', async ({ page, server }) => {
    await openHostPage(page, server);
    const id = await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    await page.getByRole('textbox', { name: 'Message' }).fill('notify once');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(() => window.__events.some((e) => e.payload === 'once'));
    await page.getByRole('textbox', { name: 'Message' }).fill('remember me');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log')).toContainText('You said: remember me');

    await page.reload();
    expect(await waitForReady(page)).toBe(id);
    await page.evaluate(() => window.__api.open());
    await expect(page.getByRole('log')).toContainText('You said: remember me');
    await expect(page.getByRole('log')).toContainText('Welcome to the test shop!');
    expect(notifications(await hostEvents(page))).toEqual([]);
  });

  test('resetOnLoad and reset() start a new conversation with a new Ready in the same chat', async ({ page, server }) => {
    await openHostPage(page, server);
    const first = await waitForReady(page);
    const chatId = await waitForChatId(page);
    await page.evaluate(() => window.__api.reset());
    const second = await waitForReady(page, 2);
    expect(second).not.toBe(first);
    expect(await waitForChatId(page, 2)).toBe(chatId);
    await page.evaluate(() => window.__api.open());
    await expect(page.getByRole('log')).toContainText('Welcome to the test shop!');

    await page.unrouteAll();
    await openHostPage(page, server, { init: { resetOnLoad: true } });
    const third = await waitForReady(page);
    expect([first, second]).not.toContain(third);
    expect(await waitForChatId(page)).toBe(chatId);
  });

  test('rewriteContext replaces the context the bot sees', async ({ page, server }) => {
    await openHostPage(page, server, { init: { context: { tier: 'gold' } } });
    await waitForReady(page);
    await page.evaluate(() => window.__api.open());
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('context');
    await box.press('Enter');
    await expect(page.getByRole('log')).toContainText('context={"tier":"gold"}');
    await page.evaluate(() => window.__api.rewriteContext({ tier: 'platinum' }));
    await box.fill('context');
    await box.press('Enter');
    await expect(page.getByRole('log')).toContainText('context={"tier":"platinum"}');
  });

  test('destroy removes every node and closes the socket', async ({ page, server }) => {
    const socketClosed = new Promise<void>((resolve) =>
      page.on('websocket', (ws) => ws.on('close', () => resolve())),
    );
    await openHostPage(page, server);
    await waitForReady(page);
    await page.evaluate(() => window.__api.destroy());
    await socketClosed;
    await expect(page.locator('#servisbot-messenger')).toHaveCount(0);
    // A fresh init after destroy builds a new widget.
    await page.evaluate(() => window.ServisBot.init({ organization: 'acme', endpoint: 'acme-demo' }));
    await expect(page.locator('#servisbot-messenger')).toHaveCount(1);
  });
});

test.describe('display options', () => {
  test('container renders inline without a roundel', async ({ page, server }) => {
    await openHostPage(page, server, {
      body: '<div id="chat-slot" style="width:400px;height:500px"></div>',
      init: { container: '#chat-slot' },
    });
    await waitForReady(page);
    await expect(page.locator('#chat-slot #servisbot-messenger')).toHaveCount(1);
    await expect(page.getByRole('log')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Open chat' })).toHaveCount(0);
  });

  test('alwaysOpen shows the conversation without a roundel', async ({ page, server }) => {
    await openHostPage(page, server, { init: { alwaysOpen: true } });
    await waitForReady(page);
    await expect(page.getByRole('log')).toContainText('Welcome to the test shop!');
    await expect(page.getByRole('button', { name: /chat$/ })).toHaveCount(0);
  });

  test('textInputDisabled starts with the composer disabled', async ({ page, server }) => {
    await openHostPage(page, server, { init: { alwaysOpen: true, textInputDisabled: true } });
    await waitForReady(page);
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
  });
});

test.describe('origins', () => {
  test('a page on an origin outside allowedOrigins gets no conversation', async ({ page, server }) => {
    const refused = new Promise<void>((resolve) => page.on('websocket', (ws) => ws.on('close', () => resolve())));
    await openHostPage(page, server, { origin: 'http://evil.test' });
    await refused;
    expect(messengerEvents(await hostEvents(page))).toEqual([]);
  });
});
