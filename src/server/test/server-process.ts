/**
 * A real `roundel serve` process for tests that must crash, pause or restart it: SIGKILL leaves
 * the database exactly as a power-less crash of the process would. The unit tests run it from
 * source (through tsx: {@link startServerProcess}, node-process.ts for cluster nodes); the e2e
 * specs run the built server through {@link spawnServer}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository's root: the working directory of a server run from source. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface ServerProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  child: ChildProcess;
  /** SIGKILL (a crash), resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (after SIGCONT, so a paused process sees it), resolved with the exit code. */
  stop(): Promise<number | null>;
  /** Everything the process wrote to stdout/stderr so far (for failure messages). */
  output(): string;
  /** Resolves with the first line of the process's log (stderr) that matches. */
  logLine(pattern: RegExp): Promise<string>;
}

/**
 * The environment of a server run from source by a test: warnings only, and no per-address
 * limits that every client from 127.0.0.1 would share (a load test would be refused).
 */
export function testServerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    ROUNDEL_LOG_LEVEL: 'warn',
    ROUNDEL_HTTP_RATE_LIMIT: 'off',
    ROUNDEL_MAX_CONNECTIONS_PER_IP: '1000',
    ...extra,
  };
}

/** Writes a config with one endpoint `acme/acme-test` running the bot module `botFile`. */
export function writeProcessConfig(dir: string, botFile: string, apiKey: string, origin: string): string {
  const file = join(dir, 'roundel.config.json');
  const endpoint = { organization: 'acme', endpoint: 'acme-test', bot: botFile, allowedOrigins: [origin], apiKey };
  writeFileSync(file, JSON.stringify({ endpoints: [endpoint] }));
  return file;
}

/** Starts the server on port 0 with `db` and `config`; resolves once it printed its URL. */
export function startServerProcess(db: string, config: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer(['--import', 'tsx', 'src/main/cli.ts', 'serve', '--port', '0', '--db', db, '--config', config], {
    cwd: ROOT,
    env: testServerEnv(env),
  });
}

/**
 * Runs `node ...args` (a Roundel server, from source or built) and resolves once it printed the
 * URL it listens on; rejects with its output if it exits first. `name` names it in that error;
 * `onSpawn` is told the child as soon as it exists.
 */
export async function spawnServer(
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; name?: string; onSpawn?: (child: ChildProcess) => void },
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // At once, not once it listens: a caller that must end it (e2e/support/processes.ts) may give up waiting first.
  options.onSpawn?.(child);
  let output = '';
  const logLines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    output += `${line}\n`;
    logLines.push(line);
    for (const watch of watchers) watch(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      const match = /http:\/\/[\w.[\]:-]+:\d+/.exec(line);
      if (match) resolve(match[0]);
    });
    void exited.then((code) => reject(new Error(`${options.name ?? 'server'} exited (${code}) before listening:\n${output}`)));
  });
  return {
    url,
    child,
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (running()) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      return exited;
    },
    output: () => output,
    logLine(pattern) {
      const seen = logLines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const watch = (line: string) => {
          if (!pattern.test(line)) return;
          watchers.delete(watch);
          resolve(line);
        };
        watchers.add(watch);
      });
    },
  };
}
