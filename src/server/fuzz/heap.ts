/**
 * Heap measurements for the fuzz tests: `global.gc` when Node runs with `--expose-gc`, else the
 * same function obtained at run time (V8 flag plus a fresh context), so no test config is needed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';

function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** `heapUsed` in bytes after full collections, with event-loop turns between them so pending callbacks release what they hold. */
export async function settledHeapUsed(): Promise<number> {
  const gc = gcFunction();
  for (let i = 0; i < 4; i += 1) {
    await nextTurn();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
