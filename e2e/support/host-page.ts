import { expect, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { HOST_ORIGIN, type RunningServer } from './server';

export type HostEvent = { name: 'notification' | 'Messenger'; payload: unknown };

declare global {
  interface Window {
    __events: HostEvent[];
    // The API object returned by ServisBot.init, kept for the test to drive.
    __api: {
      open(): void;
      close(): void;
      toggle(): void;
      reset(): void;
      destroy(): void;
      pageEvent(event: unknown): Promise<void>;
      rewriteContext(context: unknown): void;
      on(name: string, handler: (payload: unknown) => void): () => void;
      off(name: string, handler: (payload: unknown) => void): void;
    };
  }
}

/**
 * Serves a host page at `origin + path` from inside the browser (Playwright routing, so the page
 * gets a real cross-origin identity without a second server) that loads the built bundle from the
 * real server with one <script> tag and records every host event in `window.__events`.
 */
export async function openHostPage(
  page: Page,
  server: RunningServer,
  options: { init?: Record<string, unknown>; origin?: string; path?: string; body?: string; beforeInit?: string } = {},
): Promise<void> {
  const origin = options.origin ?? HOST_ORIGIN;
  const path = options.path ?? '/';
  const init = { organization: 'acme', endpoint: 'acme-demo', ...options.init };
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test shop</title></head>
<body>
<h1>Test shop</h1>
${options.body ?? ''}
<script src="${server.url}/messenger.js"></script>
<script>
  window.__events = [];
  ${options.beforeInit ?? ''}
  window.__api = ServisBot.init(${JSON.stringify(init)});
  window.__api.on('notification', (payload) => window.__events.push({ name: 'notification', payload }));
  window.__api.on('Messenger', (payload) => window.__events.push({ name: 'Messenger', payload }));
</script>
</body></html>`;
  await page.route(`${origin}/**`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  await page.goto(`${origin}${path}`);
}

/** Resolves with the host events recorded so far. */
export function hostEvents(page: Page): Promise<HostEvent[]> {
  return page.evaluate(() => window.__events);
}

/** Waits until the conversation is Ready and returns its conversationId. */
export async function waitForReady(page: Page, nth = 1): Promise<string> {
  return (await waitForReadyEvent(page, nth)).conversationId;
}

/** The `chatId` of the nth Ready: the visitor's chat, the same across `reset()`. */
export async function waitForChatId(page: Page, nth = 1): Promise<string> {
  return (await waitForReadyEvent(page, nth)).chatId;
}

async function waitForReadyEvent(page: Page, nth: number): Promise<{ conversationId: string; chatId: string }> {
  const handle = await page.waitForFunction((n) => {
    const ready = window.__events.filter(
      (e) => e.name === 'Messenger' && (e.payload as { value?: string }).value === 'Ready',
    );
    return ready.length >= n ? (ready[n - 1]!.payload as { conversationId: string; chatId: string }) : false;
  }, nth);
  return (await handle.jsonValue()) as { conversationId: string; chatId: string };
}

/** The widget lives in an open shadow root; Playwright's role locators pierce it. */
export function widget(page: Page) {
  return page.locator('#servisbot-messenger');
}

/**
 * The seed story's first half: the visitor says "subscribe", the e2e bot creates a pushback and
 * hands its link to the host page as the notification `pushback:<link>`. Resolves with the link.
 */
export async function subscribe(page: Page): Promise<string> {
  await page.evaluate(() => window.__api.open());
  await page.getByRole('textbox', { name: 'Message' }).fill('subscribe');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const handle = await page.waitForFunction(() => {
    const found = window.__events.find((e) => typeof e.payload === 'string' && e.payload.startsWith('pushback:'));
    return found ? (found.payload as string).slice('pushback:'.length) : false;
  });
  return (await handle.jsonValue()) as string;
}

/**
 * A visitor who subscribes in a tab of `context` and closes it (the other half of the story runs
 * while no page is open). Resolves with the visitor's chat id and the pushback link.
 */
export async function subscribeAndLeave(context: BrowserContext, server: RunningServer): Promise<{ chatId: string; link: string }> {
  const page = await context.newPage();
  await openHostPage(page, server);
  const chatId = await waitForChatId(page);
  const link = await subscribe(page);
  await page.close();
  return { chatId, link };
}

/** Activates `link` with `offer 1` .. `offer count`, in order, each answered 202 (stored). */
export async function activateOffers(request: APIRequestContext, link: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    expect((await request.post(link, { data: { text: `offer ${i}` } })).status()).toBe(202);
  }
}
