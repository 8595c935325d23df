import { test as base, expect } from '@playwright/test';
import { startServer, type RunningServer } from './server';

/** One real server process per worker (own temp database, the e2e bot), stopped with SIGTERM. */
export const test = base.extend<object, { server: RunningServer }>({
  server: [
    async ({}, use) => {
      const server = await startServer();
      await use(server);
      const code = await server.stop();
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM:\n${server.output()}`);
    },
    { scope: 'worker' },
  ],
});

export { expect };
