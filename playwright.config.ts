import { defineConfig } from '@playwright/test';

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
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        // Host pages get public-looking origins (http://shop.test) through routing while the
        // server is on loopback; Chromium's Local Network Access checks would block that pairing,
        // which real deployments (public page, public server) never meet.
        '--disable-features=LocalNetworkAccessChecks',
      ],
    },
  },
});
