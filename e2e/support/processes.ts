/**
 * Every process an e2e spec starts (Roundel servers, PostgreSQL, Redis) belongs to a group that a
 * fixture of ./fixtures.ts holds: the running test's, or the worker's for what `beforeAll` starts.
 * The fixture's teardown ends what is still running, whether the test passed, failed or timed
 * out: SIGTERM first (a server closes cleanly), SIGKILL after {@link GRACE_MS}. Should the worker
 * itself be made to exit before that, its `exit` hook SIGKILLs whatever is left.
 */
import type { ChildProcess } from 'node:child_process';

/** How long a process may take to end after SIGTERM before it is SIGKILLed. */
export const GRACE_MS = 3000;

/** Something running that the group must end: `end()` resolves once it is gone, whatever it takes. */
interface Member {
  name: string;
  end(): Promise<void>;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const exited = (child: ChildProcess) => (alive(child) ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve());

/** Resolves after `ms`, with `false` (the losing side of a race against an end). */
const after = (ms: number) => new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref());

/**
 * Ends `child`: SIGCONT (a paused one must see the signal) and SIGTERM, then SIGKILL if it still
 * runs after `graceMs`. Resolves with `killed` when it had to be SIGKILLed.
 */
export async function endChild(child: ChildProcess, graceMs = GRACE_MS): Promise<'ended' | 'killed'> {
  if (!alive(child)) return 'ended';
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  if (await Promise.race([exited(child).then(() => true), after(graceMs)])) return 'ended';
  child.kill('SIGKILL');
  await exited(child);
  return 'killed';
}

/** Children of this worker still running: SIGKILLed when the worker exits, however it exits. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (alive(child)) child.kill('SIGKILL');
});

export class ProcessGroup {
  private readonly members = new Set<Member>();

  constructor(readonly name: string) {}

  /** Adds a child process: {@link end} ends it with {@link endChild}. */
  addChild(name: string, child: ChildProcess): void {
    children.add(child);
    child.once('exit', () => children.delete(child));
    this.add({ name, end: () => endChild(child).then(() => undefined) });
  }

  /**
   * Adds a service handle (scripts/services.mjs): closed (which also removes its data), and
   * SIGKILLed first if closing does not end it within {@link GRACE_MS}.
   */
  addService(name: string, handle: { close(): Promise<void>; kill(): Promise<void> }): void {
    this.add({
      name,
      async end() {
        const closing = handle.close();
        if (await Promise.race([closing.then(() => true), after(GRACE_MS)])) return;
        await handle.kill();
        await closing;
      },
    });
  }

  private add(member: Member): void {
    this.members.add(member);
  }

  /** Ends every member still running, all at once; resolves once they are all gone. */
  async end(): Promise<void> {
    const members = [...this.members];
    this.members.clear();
    const results = await Promise.allSettled(members.map((member) => member.end()));
    const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [`${members[i]?.name}: ${String(result.reason)}`] : []));
    if (failed.length > 0) throw new Error(`${this.name}: could not end ${failed.join('; ')}`);
  }
}

let workerGroup: ProcessGroup | undefined;
let testGroup: ProcessGroup | undefined;

/** Set by the fixtures: the group that processes started now belong to. */
export function setGroups(groups: { worker?: ProcessGroup | null; test?: ProcessGroup | null }): void {
  if (groups.worker !== undefined) workerGroup = groups.worker ?? undefined;
  if (groups.test !== undefined) testGroup = groups.test ?? undefined;
}

/**
 * The group of whatever runs now: the test's, else (in `beforeAll`/`afterAll`) the worker's.
 * @throws when neither fixture is active: the spec does not use ./fixtures.ts's `test`, and what
 * it starts would have nobody to end it.
 */
export function currentGroup(): ProcessGroup {
  const group = testGroup ?? workerGroup;
  if (!group) throw new Error("e2e processes must be started from a test or hook of e2e/support/fixtures.ts's `test`");
  return group;
}
