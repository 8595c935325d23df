import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { openHostileSite, waitForReady, withoutConstructableStylesheets, type HostileSite } from './support/hostile-page';
import type { RunningServer } from './support/server';

// Page CSS cannot restyle the widget, and the widget's CSS cannot restyle the page: computed
// styles are compared property by property between a clean page and a hostile one, and between
// the page with and without the widget.

/** A page that tries everything a stylesheet can against an embedded widget. */
const HOSTILE_CSS = `
* { all: unset !important; }
html { font-size: 40px !important; }
button { display: none !important; color: red !important; }
div { font-size: 40px !important; line-height: 3 !important; }
textarea { font: 30px serif !important; background: red !important; }
:host, :host(*), :host-context(body) { display: none !important; color: red !important; }
#servisbot-messenger, #servisbot-messenger * { display: none !important; opacity: 0 !important; color: red !important; }
body > div { transform: scale(2) !important; filter: blur(4px) !important; visibility: hidden !important; }
::slotted(*), ::part(roundel) { color: red !important; }
.rd-roundel, .rd-panel, .rd-input { display: none !important; background: red !important; }
`;

/** The page's own content, with one element of each common kind. */
const PAGE_BODY = `<h1>Hostile shop</h1>
<p class="intro">Some <a href="/offers">offers</a> and <b>bold</b> text.</p>
<div class="card"><button type="button">Buy</button><input value="query"><textarea>note</textarea></div>`;

/** The widget's elements, by selector in its shadow root. */
const WIDGET = {
  roundel: '.rd-roundel',
  panel: '.rd-panel',
  header: '.rd-header',
  title: '.rd-title',
  log: '.rd-log',
  bubble: '.rd-bot .rd-bubble',
  textbox: '.rd-input',
  send: '.rd-send',
};

/** The page's elements, by selector. */
const PAGE = { html: 'html', body: 'body', h1: 'h1', p: 'p.intro', a: 'a', b: 'b', card: 'div.card', button: '.card button', input: 'input', textarea: '.card textarea' };

/** Properties of the host element that the page's layout does not decide (its size and place do). */
const HOST_PROPERTIES = ['display', 'visibility', 'opacity', 'position', 'transform', 'filter', 'z-index', 'color', 'font-size', 'pointer-events', 'clip-path', 'contain'];

/** Every computed property of each element (and its box), in the widget's shadow root or the page. */
function computedStyles(page: Page, selectors: Record<string, string>, inWidget: boolean) {
  return page.evaluate(
    ({ selectors, inWidget }) => {
      const root = inWidget ? document.querySelector('#servisbot-messenger')!.shadowRoot! : document;
      const result: Record<string, Record<string, string>> = {};
      for (const [name, selector] of Object.entries(selectors)) {
        const element = root.querySelector(selector)!;
        const style = getComputedStyle(element);
        const properties: Record<string, string> = {};
        for (const property of style) properties[property] = style.getPropertyValue(property);
        const box = element.getBoundingClientRect();
        properties['(box)'] = `${box.x} ${box.y} ${box.width} ${box.height}`;
        result[name] = properties;
      }
      return result;
    },
    { selectors, inWidget },
  );
}

function hostStyle(page: Page) {
  return page.locator('#servisbot-messenger').evaluate((host, properties) => {
    const style = getComputedStyle(host);
    return Object.fromEntries(properties.map((property) => [property, style.getPropertyValue(property)]));
  }, HOST_PROPERTIES);
}

/** Opens `site` in a fresh page, opens the messenger once the greeting is there, and reads the widget's styles. */
async function widgetStyles(page: Page, server: RunningServer, site: HostileSite) {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await openHostileSite(page, server, { body: PAGE_BODY, ...site });
  await waitForReady(page);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(page.getByRole('log')).toContainText('Welcome to the test shop!');
  return { host: await hostStyle(page), elements: await computedStyles(page, WIDGET, true) };
}

const MODES = ['constructable stylesheets', 'the <style> fallback'] as const;

for (const mode of MODES) {
  test(`page CSS (all: unset, !important, :host attempts, the host id) does not change the widget (${mode})`, async ({ browser, server }) => {
    const clean = await browser.newPage();
    const hostile = await browser.newPage();
    try {
      if (mode === 'the <style> fallback') for (const page of [clean, hostile]) await withoutConstructableStylesheets(page);
      const expected = await widgetStyles(clean, server, {});
      const actual = await widgetStyles(hostile, server, { css: HOSTILE_CSS });
      // The page's CSS took effect on the page itself.
      await expect(hostile.locator('.card button')).toBeHidden();
      await expect(hostile.locator('h1')).toHaveCSS('font-size', '40px');
      expect(expected.host).toMatchObject({ display: 'block', visibility: 'visible', opacity: '1', transform: 'none' });
      expect(Object.keys(expected.elements.roundel!).length).toBeGreaterThan(300);
      expect(actual).toEqual(expected);
      // Usable, not only alike: the textbox takes text and the send button works.
      await hostile.getByRole('textbox', { name: 'Message' }).fill('hello through hostile CSS');
      await hostile.getByRole('button', { name: 'Send' }).click();
      await expect(hostile.getByRole('log')).toContainText('You said: hello through hostile CSS');
    } finally {
      await clean.close();
      await hostile.close();
    }
  });
}

for (const mode of MODES) {
  test(`the widget's CSS does not change the page (${mode})`, async ({ browser, server }) => {
    const without = await browser.newPage();
    const withWidget = await browser.newPage();
    try {
      if (mode === 'the <style> fallback') for (const page of [without, withWidget]) await withoutConstructableStylesheets(page);
      await openHostileSite(without, server, { body: PAGE_BODY, widget: false });
      await openHostileSite(withWidget, server, { body: PAGE_BODY, init: { nonce: 'abc' } });
      await waitForReady(withWidget);
      await withWidget.getByRole('button', { name: 'Open chat' }).click();
      await expect(withWidget.getByRole('log')).toContainText('Welcome to the test shop!');
      const sheets = (page: Page) =>
        page.evaluate(() => ({ sheets: document.styleSheets.length, adopted: document.adoptedStyleSheets?.length ?? 'none', styles: document.querySelectorAll('style').length }));
      expect(await sheets(withWidget)).toEqual(await sheets(without));
      expect(await computedStyles(withWidget, PAGE, false)).toEqual(await computedStyles(without, PAGE, false));
    } finally {
      await without.close();
      await withWidget.close();
    }
  });
}
