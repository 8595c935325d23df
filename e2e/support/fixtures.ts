import { test as base, expect } from '@playwright/test';
import { startServer, type RunningServer } from './server';

/**
 * One real server process per worker (own temp database, the e2e bot), stopped with SIGTERM; and
 * `demoServer`, the demo as a new user meets it: no config, the built-in acme-demo endpoint and bot.
 */
export const test = base.extend<object, { server: RunningServer; demoServer: RunningServer }>({
  server: [
    async ({}, use) => {
      const server = await startServer();
      await use(server);
      const code = await server.stop();
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM:\n${server.output()}`);
    },
    { scope: 'worker' },
  ],
  demoServer: [
    async ({}, use) => {
      const server = await startServer({ config: null });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

export { expect };
