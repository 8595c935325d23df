import { expect, test } from './support/fixtures';


test('the demo page walks through the seed story: subscribe, pushback, offer', async ({ page, demoServer }) => {
  await page.goto(`${demoServer.url}/`);
  const log = page.getByRole('list', { name: 'Host events' });
  await expect(log).toContainText('"value":"Ready"');

  await page.getByRole('button', { name: 'Open chat' }).click();
  await expect(log).toContainText('"value":"Opened"');
  const transcript = page.getByRole('log');
  await page.getByRole('button', { name: 'Subscribe to offers' }).click();
  await expect(transcript).toContainText('Hooray!');
  await expect(page.getByLabel('Pushback link')).toHaveValue(/\/pushgate\/push_[0-9a-f-]{36}$/);
  await expect(page.getByLabel('Equivalent curl command')).toContainText('curl -X POST');

  await page.getByRole('button', { name: 'POST the pushback' }).click();
  await expect(page.getByRole('status').filter({ hasText: '202' })).toContainText('"accepted":true');
  await expect(transcript).toContainText('We have a unique offer just for you! 03/25 only, 20% off all our business plans!');
  await expect(log).toContainText('notification');

  await page.getByRole('button', { name: "pageEvent('checkout')" }).click();
  await expect(log).toContainText('pageEvent accepted');
  await expect(transcript).toContainText('checkout');
});

test('the demo answers /healthz and serves the bundle', async ({ request, demoServer }) => {
  const health = await request.get(`${demoServer.url}/healthz`);
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', node: expect.any(String) });
  const bundle = await request.get(`${demoServer.url}/messenger.js`);
  expect(bundle.headers()['content-type']).toContain('javascript');
  expect(await bundle.text()).toContain('ServisBot');
});
