import { defineConfig } from '@playwright/test';
import chromiumFlags from './scripts/chromium.json' with { type: 'json' };

/**
 * E2e runs the built bundle (dist/messenger.js) through a <script> tag in Chromium against the
 * real server process (dist/server/cli.js) on a free port. `npm test` builds first and finds a
 * Chromium (CHROMIUM_PATH); the flags keep Chromium off the network (loopback only here).
 */
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/support/global-setup.ts',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [['list'], ['json']],
  use: {
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumFlags.args,
    },
  },
});
