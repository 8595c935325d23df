import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './support/fixtures';
import { openHostPage, waitForReady } from './support/host-page';
import { startServer, writeConfig } from './support/server';

test('SIGHUP reloads the config: a new title and theme reach the open widget live, on the same connection', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'roundel-e2e-hup-'));
  const config = writeConfig(dataDir, [{ title: 'Before' }]);
  const server = await startServer({ dataDir, config });
  try {
    await openHostPage(page, server);
    await waitForReady(page);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const title = page.locator('#servisbot-messenger .rd-title');
    await expect(title).toHaveText('Before');
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));

    writeConfig(dataDir, [{ title: 'After' }]);
    server.child.kill('SIGHUP');
    await expect(title).toHaveText('After');
    await expect(page.getByRole('region', { name: 'After' })).toBeVisible();

    // No reconnect, no second conversation: the same socket carried the update.
    expect(sockets).toEqual([]);
    expect(await page.evaluate(() => window.__events.filter((e) => (e.payload as { value?: string }).value === 'Ready').length)).toBe(1);
    expect(server.output()).toMatch(/config reloaded/);
  } finally {
    expect(await server.stop()).toBe(0);
  }
});
