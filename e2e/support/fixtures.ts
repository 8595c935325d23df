import { test as base, expect } from '@playwright/test';
import { endChild, ProcessGroup, setGroups } from './processes';
import { startServer, type RunningServer } from './server';

/** Ends a worker's shared server; a server that needed SIGKILL or exited non-zero fails the run. */
async function endShared(server: RunningServer): Promise<void> {
  const how = await endChild(server.child);
  const code = server.child.exitCode;
  if (how === 'killed' || code !== 0) throw new Error(`server ${how === 'killed' ? 'ignored SIGTERM' : `exited with ${code} on SIGTERM`}:\n${server.output()}`);
}

/**
 * The process groups (processes.ts), for every spec that starts processes: what a test starts
 * (startServer, services) belongs to the test and is ended when it ends, passed, failed or timed
 * out; what `beforeAll` or a worker fixture starts belongs to the worker and is ended with it.
 * A spec that defines its own `server` fixture extends this one.
 */
export const processTest = base.extend<{ testProcesses: ProcessGroup }, { workerProcesses: ProcessGroup }>({
  workerProcesses: [
    async ({}, use) => {
      const group = new ProcessGroup('worker');
      setGroups({ worker: group });
      try {
        await use(group);
      } finally {
        setGroups({ worker: null });
        await group.end();
      }
    },
    { scope: 'worker', auto: true },
  ],
  testProcesses: [
    async ({}, use, testInfo) => {
      const group = new ProcessGroup(testInfo.title);
      setGroups({ test: group });
      try {
        await use(group);
      } finally {
        setGroups({ test: null });
        await group.end();
      }
    },
    // Its own time for the teardown, so that a test that timed out still has its processes ended.
    { auto: true, timeout: 30_000 },
  ],
});

/**
 * The e2e fixtures: the process groups, `server`, one real server process per worker (own temp
 * database, the e2e bot), and `demoServer`, the demo as a new user meets it: no config, the
 * built-in acme-demo endpoint and bot.
 */
export const test = processTest.extend<object, { server: RunningServer; demoServer: RunningServer }>({
  server: [
    async ({ workerProcesses }, use) => {
      const server = await startServer({ group: workerProcesses });
      await use(server);
      await endShared(server);
    },
    { scope: 'worker' },
  ],
  demoServer: [
    async ({ workerProcesses }, use) => {
      const server = await startServer({ config: null, group: workerProcesses });
      await use(server);
      await endShared(server);
    },
    { scope: 'worker' },
  ],
});

export { expect };
