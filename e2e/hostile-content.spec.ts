import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { eventLog, openHostileSite, waitForReady } from './support/hostile-page';

// Text from bots and from the host page is never interpreted as HTML or as a URL to script: every
// payload below sets window.__xss if it ever runs, and the only elements a message may hold are
// the links made for its http(s) URLs.

declare global {
  interface Window {
    __xss?: string;
  }
}

/** A payload, and the links (href, text) the widget may make of it: only for http(s) URLs. */
const PAYLOADS: [string, { href: string; text: string }[]][] = [
  [`<img src=x onerror="window.__xss='img'">`, []],
  [`<svg onload="window.__xss='svg'"><circle r="9"/></svg>`, []],
  [`<script>window.__xss='script'</script>`, []],
  [`<iframe src="javascript:parent.__xss='iframe'"></iframe>`, []],
  [`<a href="javascript:window.__xss='a'">click me</a>`, []],
  [`javascript:window.__xss='js'`, []],
  [`JaVaScRiPt:window.__xss='mixed case'`, []],
  [`data:text/html,<script>window.__xss='data'</script>`, []],
  [`vbscript:msgbox("xss")`, []],
  [`&lt;img src=x onerror="window.__xss='entity'"&gt;`, []],
  [`&#106;avascript:window.__xss='numeric entity'`, []],
  [`<img src=x onerror=&#119;indow.__xss='encoded handler'>`, []],
  [`<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mutation'">`, []],
  [`<style>*{display:none !important}</style>`, []],
  [`<a href="https://shop.example/ok">fine</a>`, [{ href: 'https://shop.example/ok', text: 'https://shop.example/ok' }]],
  [`javascript:window.__xss='prefix'//https://shop.example/x`, [{ href: 'https://shop.example/x', text: 'https://shop.example/x' }]],
  [`https://shop.example/"onmouseover="window.__xss='attribute'`, [{ href: 'https://shop.example/', text: 'https://shop.example/' }]],
  [`HTTPS://SHOP.EXAMPLE/Deal`, [{ href: 'https://shop.example/Deal', text: 'HTTPS://SHOP.EXAMPLE/Deal' }]],
];

/** Each message in the transcript: its author, its text, and every element inside its bubble. */
function messages(page: Page) {
  return page.evaluate(() =>
    [...document.querySelector('#servisbot-messenger')!.shadowRoot!.querySelectorAll('.rd-msg')].map((message) => {
      const bubble = message.querySelector('.rd-bubble')!;
      return {
        author: message.classList.contains('rd-bot') ? 'bot' : 'visitor',
        text: bubble.textContent,
        // The paragraphs of formatted bot text (div.rd-md > p, no attributes) are structure, not content.
        elements: [...bubble.querySelectorAll('*')].filter((element) => !element.matches('div.rd-md, div.rd-md > p:not([style]):not([onload]):not([onerror])')).map((element) =>
          element.tagName === 'A'
            ? `A href=${element.getAttribute('href')} target=${element.getAttribute('target')} rel=${element.getAttribute('rel')}: ${element.textContent}`
            : element.outerHTML,
        ),
      };
    }),
  );
}

const link = ({ href, text }: { href: string; text: string }) => `A href=${href} target=_blank rel=noopener noreferrer: ${text}`;

/** The tag names in the widget's shadow root (sorted, once each) and the element count of the page's own DOM. */
function elementCensus(page: Page) {
  return page.evaluate(() => {
    const host = document.querySelector('#servisbot-messenger')!;
    const tags = new Set([...host.shadowRoot!.querySelectorAll('*')].map((element) => element.localName));
    return { shadow: [...tags].sort(), page: document.querySelectorAll('*').length };
  });
}

/** What the widget's own markup is made of (the typing dots are <i>). */
const WIDGET_TAGS = ['a', 'button', 'div', 'form', 'header', 'i', 'input', 'p', 'path', 'section', 'span', 'svg', 'textarea', 'time'];

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

test('the payloads are live: as HTML in the page they run (the check below can fail)', async ({ page, server }) => {
  await openHostileSite(page, server, { widget: false });
  await page.evaluate((payloads) => {
    const box = document.createElement('div');
    box.innerHTML = payloads.join('');
    document.body.append(box);
  }, PAYLOADS.map(([payload]) => payload));
  await page.waitForFunction(() => window.__xss === 'img');
});

test('bot text: markup, script URLs and entities stay text; only http(s) URLs become links', async ({ page, server }) => {
  await openHostileSite(page, server);
  await waitForReady(page);
  const before = await elementCensus(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  for (const [index, [payload]] of PAYLOADS.entries()) {
    await send(page, `say ${payload}`);
    // The greeting, then one echo per payload.
    await expect(page.locator('.rd-bot')).toHaveCount(index + 2);
  }
  const transcript = await messages(page);
  expect(transcript.slice(1)).toEqual(
    PAYLOADS.flatMap(([payload, links]) => [
      { author: 'visitor', text: `say ${payload}`, elements: links.map(link) },
      { author: 'bot', text: payload, elements: links.map(link) },
    ]),
  );
  expect(await elementCensus(page)).toEqual({ shadow: WIDGET_TAGS.filter((tag) => tag !== 'i'), page: before.page });
  await expect(page.getByRole('log')).toBeVisible();
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
});

test('quick replies from the bot: buttons named by their literal text, picked as text', async ({ page, server }) => {
  await openHostileSite(page, server);
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const replies = [`<img src=x onerror="window.__xss='reply'">`, `javascript:window.__xss='reply link'`, `<b>bold</b>`];
  await send(page, `offer ${replies.join('|')}`);
  const group = page.getByRole('group', { name: 'Quick replies' });
  await expect(group.getByRole('button')).toHaveText(replies);
  expect(await group.locator('button *').count()).toBe(0);
  await group.getByRole('button', { name: replies[0], exact: true }).click();
  await expect(page.getByRole('log')).toContainText(`You said: ${replies[0]}`);
  expect((await messages(page)).slice(-2)).toEqual([
    { author: 'visitor', text: replies[0], elements: [] },
    { author: 'bot', text: `You said: ${replies[0]}`, elements: [] },
  ]);
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
});

test('host text: the title option, the context and page events stay text', async ({ page, server }) => {
  const title = `<img src=x onerror="window.__xss='title'"><b>Shop</b>`;
  const context = { name: `<svg onload="window.__xss='context'">`, link: `javascript:window.__xss='context link'` };
  await openHostileSite(page, server, {
    init: { title, context, theme: { primary: `red;}</style><img src=x onerror="window.__xss='theme'">` } },
  });
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const header = await page.evaluate(() => {
    const root = document.querySelector('#servisbot-messenger')!.shadowRoot!;
    const element = root.querySelector('.rd-header')!;
    return {
      title: root.querySelector('.rd-title')!.textContent,
      elements: [...element.querySelectorAll('*')].map((child) => child.getAttribute('class') ?? child.localName),
      label: root.querySelector('.rd-panel')!.getAttribute('aria-label'),
    };
  });
  // The title is text; besides it the header holds only its "Close chat" button (shown on phones).
  expect(header).toEqual({ title, elements: ['rd-heading', 'rd-title', 'rd-close', 'svg', 'path'], label: title });

  await send(page, 'context');
  await expect(page.locator('.rd-bot')).toHaveCount(2);
  const alias = `<img src=x onerror="window.__xss='alias'">`;
  const body = { html: `<script>window.__xss='body'</script>`, url: `data:text/html,<b>x</b>` };
  await page.evaluate(([a, b]) => window.__api.pageEvent({ alias: a, body: b }), [alias, body] as const);
  await expect(page.locator('.rd-bot')).toHaveCount(3);
  expect((await messages(page)).slice(1)).toEqual([
    { author: 'visitor', text: 'context', elements: [] },
    { author: 'bot', text: `context=${JSON.stringify(context)}`, elements: [] },
    { author: 'bot', text: `page event ${alias} ${JSON.stringify(body)}`, elements: [] },
  ]);
  // The bot's host notification (the page event's body is its context) reached the page as a string.
  await expect(eventLog(page)).toContainText(`notification page:${alias}:${JSON.stringify(body)}`);
  expect(await elementCensus(page)).toMatchObject({ shadow: WIDGET_TAGS.filter((tag) => tag !== 'i' && tag !== 'a') });
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
});
