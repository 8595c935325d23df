import { expect, test } from './support/fixtures';

// Found by Lighthouse on a 412 px phone: a long unbroken line in the event log widened the grid
// (layout shift, sideways scrolling), and the page had no favicon (a 404 in the console).
test.use({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });

test('the demo page fits a 412 px phone, whatever the event log holds, and has a favicon', async ({ page, demoServer }) => {
  const failed: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${new URL(res.url()).pathname}`);
  });
  await page.goto(`${demoServer.url}/`);
  const log = page.getByRole('list', { name: 'Host events' });
  await expect(log).toContainText('"value":"Ready"');
  await page.evaluate(() => {
    const item = document.createElement('li');
    item.textContent = `notification ${'x'.repeat(400)}`;
    document.getElementById('event-log')?.prepend(item);
  });
  const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(width.scroll).toBeLessThanOrEqual(width.client);
  const icon = await page.request.get(`${demoServer.url}/favicon.svg`);
  expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
  expect(failed).toEqual([]);
});
