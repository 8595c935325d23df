import { expect, test } from './support/fixtures';
import { openHostPage, waitForReady, widget } from './support/host-page';
import { focusedControl } from './support/widget-pages';

test('keyboard only: Tab reaches the roundel, Enter opens into the composer, Escape closes back to the roundel', async ({ page, server }) => {
  await openHostPage(page, server);
  await waitForReady(page);

  await page.keyboard.press('Tab');
  expect(await focusedControl(page)).toEqual({ control: 'button:Open chat', outline: 'solid 2px' });

  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Close chat' })).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  await page.getByRole('log').getByText('Welcome to the test shop!').waitFor();

  // Every control on the way has a visible focus ring.
  const order = [await focusedControl(page)];
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    order.push(await focusedControl(page));
  }
  expect(order).toEqual([
    { control: 'textbox:Message', outline: 'solid 2px' },
    { control: 'button:Attach file', outline: 'solid 2px' },
    { control: 'button:Send', outline: 'solid 2px' },
    { control: 'button:Close chat', outline: 'solid 2px' },
    { control: 'button:Send', outline: 'solid 2px' },
    { control: 'button:Attach file', outline: 'solid 2px' },
    { control: 'textbox:Message', outline: 'solid 2px' },
    { control: 'button:No thanks', outline: 'solid 2px' },
    { control: 'button:Yes please', outline: 'solid 2px' },
  ]);

  // A quick reply by keyboard: the replies go away and focus moves on to the composer.
  await page.keyboard.press('Space');
  await expect(page.getByRole('log')).toContainText('You said: Yes please');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  await page.keyboard.type('typed by keyboard');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('log')).toContainText('You said: typed by keyboard');

  await page.keyboard.press('Escape');
  await expect(page.getByRole('log')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Open chat' })).toBeFocused();

  // Space opens too; Escape on the roundel itself closes.
  await page.keyboard.press('Space');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  expect(await focusedControl(page)).toEqual({ control: 'button:Close chat', outline: 'solid 2px' });
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Open chat' })).toBeFocused();
  await expect(widget(page)).toHaveCount(1);
});
