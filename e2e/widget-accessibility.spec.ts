import { expect, test } from './support/fixtures';
import { accessibilityViolations } from './support/widget-pages';


test('axe finds no WCAG 2.2 AA violation on the demo page, messenger closed and open', async ({ page, demoServer }) => {
  await page.goto(`${demoServer.url}/`);
  await expect(page.getByRole('list', { name: 'Host events' })).toContainText('"value":"Ready"');
  expect(await accessibilityViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(page.getByRole('button', { name: 'Subscribe to offers' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Message' }).fill('hello https://example.com/help');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByRole('log').getByRole('link')).not.toHaveCount(0);
  expect(await accessibilityViolations(page)).toEqual([]);
});

test('dark mode follows prefers-color-scheme, and stays free of violations', async ({ page, demoServer }) => {
  const colours = () =>
    page.evaluate(() => {
      const root = document.querySelector('#servisbot-messenger')!.shadowRoot!;
      const style = (selector: string) => getComputedStyle(root.querySelector(selector)!);
      return { panel: style('.rd-panel').backgroundColor, text: style('.rd-root').color, reply: style('.rd-reply').color };
    });
  await page.goto(`${demoServer.url}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(page.getByRole('button', { name: 'Subscribe to offers' })).toBeVisible();
  const light = await colours();
  expect(light.panel).toBe('rgb(255, 255, 255)');

  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await colours();
  expect(dark.panel).not.toBe(light.panel);
  expect(dark.text).not.toBe(light.text);
  expect(dark.reply).not.toBe(light.reply);
  expect(await accessibilityViolations(page)).toEqual([]);
});

test('reduced motion stops the typing dots', async ({ page, demoServer }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${demoServer.url}/`);
  const animation = await page.evaluate(() => {
    const root = document.querySelector('#servisbot-messenger')!.shadowRoot!;
    const dot = document.createElement('i');
    const dots = document.createElement('span');
    dots.className = 'rd-dots';
    dots.append(dot);
    root.querySelector('.rd-root')!.append(dots);
    return getComputedStyle(dot).animationName;
  });
  expect(animation).toBe('none');
});
