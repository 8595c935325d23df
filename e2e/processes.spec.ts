/**
 * The process groups that end what e2e tests start (support/processes.ts): a child that ignores
 * SIGTERM is SIGKILLed after the grace time, one that honours it is not, and a group ends all of
 * its members. Plain child processes: no browser needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from './support/fixtures';
import { endChild, GRACE_MS, ProcessGroup } from './support/processes';

/** A node child that prints `ready` once its SIGTERM handler is set (ignoring SIGTERM, or exiting on it). */
function child(ignoreTerm: boolean, group: ProcessGroup): Promise<ChildProcess> {
  const onTerm = ignoreTerm ? '() => {}' : '() => process.exit(0)';
  const proc = spawn(process.execPath, ['-e', `process.on('SIGTERM', ${onTerm}); setInterval(() => {}, 1000); console.log('ready');`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // Owned by the test's group at once: a failed assertion below still ends it.
  group.addChild(ignoreTerm ? 'stubborn' : 'polite', proc);
  return new Promise((resolve) => proc.stdout!.once('data', () => resolve(proc)));
}

test('a child that ignores SIGTERM is SIGKILLed after the grace time; one that honours it is not', async ({ testProcesses }) => {
  const [stubborn, polite] = await Promise.all([child(true, testProcesses), child(false, testProcesses)]);
  expect(await endChild(polite)).toBe('ended');
  expect(polite.exitCode).toBe(0);
  expect(await endChild(stubborn, 200)).toBe('killed');
  expect(stubborn.signalCode).toBe('SIGKILL');
  // Ending what already ended does nothing.
  expect(await endChild(stubborn)).toBe('ended');
});

test('a group ends every member still running', async ({ testProcesses }) => {
  const group = new ProcessGroup('inner');
  const members = await Promise.all([child(true, group), child(false, group)]);
  for (const member of members) testProcesses.addChild('fallback', member);
  await group.end();
  expect(members.map((m) => m.exitCode !== null || m.signalCode !== null)).toEqual([true, true]);
  expect(members[0]?.signalCode).toBe('SIGKILL');
  expect(GRACE_MS).toBeLessThanOrEqual(5000);
});
