// Small helpers shared by the bench scenarios: statistics, child processes, RSS, time budget.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = resolve(BENCH_DIR, '..');
export const PEERS_DIR = join(BENCH_DIR, 'peers');
export const PROFILES_DIR = join(BENCH_DIR, 'profiles');
/** The Roundel build under test: this checkout, or another one's (BENCH_ROUNDEL_DIR) to compare builds. */
export const ROUNDEL_DIR = resolve(process.env.BENCH_ROUNDEL_DIR ?? ROOT);

/** Every process the bench started; killed when the bench exits, whatever the reason. */
const children = new Set();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** The q-quantile (0..1) of numbers, nearest-rank; NaN when empty. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => quantile(values, 0.5);

/** Rounds for JSON: 3 significant decimals at most. */
export function round(value, digits = 2) {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kb * 1024;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; 10 ms resolution). */
export function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the state field.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time the whole machine spent busy so far, in ms summed over cores (Linux /proc/stat). */
export function machineBusyMs() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  return (ticks.reduce((a, b) => a + b, 0) - idle) * 10;
}

/** Share (0..1) of the machine's CPU time that was busy over the next `ms` (Linux /proc/stat). */
export async function machineBusy(ms = 1000) {
  const read = () => {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = ticks[3] + (ticks[4] ?? 0);
    return { idle, total: ticks.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await sleep(ms);
  const b = read();
  return Math.round((1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)) * 100) / 100;
}

/** Log a progress line to stderr (stdout carries the summary). */
export const log = (...parts) => process.stderr.write(`[bench] ${parts.join(' ')}\n`);

/** A global deadline; `left()` in ms. Scenarios ask it before each optional step. */
export function budget(totalMs) {
  const end = Date.now() + totalMs;
  return { left: () => end - Date.now(), expired: () => Date.now() >= end, end };
}

/**
 * Spawns `node ...args` with a raised file-descriptor limit, resolves once a stdout line matches
 * `ready` (the match is returned). The child is killed with SIGTERM by `stop()`, SIGKILL after 6 s.
 */
export async function spawnNode(args, { env = {}, ready = /http:\/\/127\.0\.0\.1:\d+/, ipc = false, timeoutMs = 30_000, name = 'child' } = {}) {
  const quoted = [process.execPath, ...args].map((a) => `'${String(a).replaceAll("'", "'\\''")}'`).join(' ');
  const child = track(spawn('sh', ['-c', `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${quoted}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  }));
  let output = '';
  child.stderr.on('data', (chunk) => {
    output += chunk;
    if (output.length > 20_000) output = output.slice(-10_000);
  });
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  const lines = createInterface({ input: child.stdout });
  const match = await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    lines.on('line', (line) => {
      output += `${line}\n`;
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        done(m);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    child,
    pid: child.pid,
    match,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a client script as a forked child with IPC; resolves with its single result message. */
export async function runClient(script, input, { timeoutMs = 120_000, onMessage } = {}) {
  const { fork } = await import('node:child_process');
  const child = track(
    // --expose-gc: a client collects its garbage before each measurement, so that a major GC of
    // its own (it holds thousands of sockets) does not land inside one and pass for server latency.
    fork(join(BENCH_DIR, 'clients', script), [], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] }),
  );
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${script} ran past ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (message) => {
      if (message.type === 'result') {
        clearTimeout(timer);
        done(message.value);
        child.disconnect?.();
      } else if (message.type === 'error') {
        clearTimeout(timer);
        fail(new Error(`${script}: ${message.message}`));
        child.kill('SIGKILL');
      } else onMessage?.(message, child);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${script} exited (${code}) without a result`));
    });
    child.send({ type: 'start', input });
  });
}

/** A full garbage collection in a client process (forked with --expose-gc), before a measurement. */
export const collectGarbage = () => globalThis.gc?.();

/** A client script's side of {@link runClient}: calls `main(input, send)` and reports. */
export function clientMain(main) {
  process.once('message', async (message) => {
    if (message?.type !== 'start') return;
    try {
      const value = await main(message.input, (m) => process.send(m));
      process.send({ type: 'result', value }, () => process.exit(0));
    } catch (error) {
      process.send({ type: 'error', message: error?.stack ?? String(error) }, () => process.exit(1));
    }
  });
}
