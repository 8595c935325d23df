/**
 * A real `roundel serve --database … --redis …` process (from source, through tsx) for the tests
 * that must crash, pause or restart a node, and the config and bot module it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = 'src/main/cli.ts';

export interface NodeProcess {
  name: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the first line of the node's log (stderr) that matches. */
  logLine(pattern: RegExp): Promise<string>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, resolved with the exit code. */
  stop(): Promise<number | null>;
}

/** Writes a config with endpoint `acme/acme-test` running `botSource` (an ES module's text). */
export function writeNodeConfig(dir: string, botSource: string, apiKey: string, origin: string): string {
  const bot = join(dir, 'bot.mjs');
  writeFileSync(bot, botSource);
  const file = join(dir, 'roundel.config.json');
  writeFileSync(file, JSON.stringify({ endpoints: [{ organization: 'acme', endpoint: 'acme-test', bot, allowedOrigins: [origin], apiKey }] }));
  return file;
}

export interface NodeOptions {
  name: string;
  database: string;
  redis: string;
  config: string;
  publicUrl?: string;
  env?: Record<string, string>;
}

/** Starts a node on port 0; resolves once it printed its URL. */
export async function startNodeProcess(options: NodeOptions): Promise<NodeProcess> {
  const args = ['--import', 'tsx', CLI, 'serve', '--port', '0', '--config', options.config, '--database', options.database];
  args.push('--redis', options.redis, '--node-id', options.name);
  if (options.publicUrl) args.push('--public-url', options.publicUrl);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ROUNDEL_LOG_LEVEL: 'warn',
      // Every test client comes from 127.0.0.1: the per-address guards would refuse a load test.
      ROUNDEL_HTTP_RATE_LIMIT: 'off',
      ROUNDEL_MAX_CONNECTIONS_PER_IP: '1000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(line);
    for (const watch of watchers) watch(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(line);
      if (match) resolve(match[0]);
    });
    void exited.then((code) => reject(new Error(`${options.name} exited (${code}) before listening:\n${lines.join('\n')}`)));
  });
  return {
    name: options.name,
    url,
    port: Number(new URL(url).port),
    child,
    logLine(pattern) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const watch = (line: string) => {
          if (!pattern.test(line)) return;
          watchers.delete(watch);
          resolve(line);
        };
        watchers.add(watch);
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // A stopped (SIGSTOP) process would not see SIGTERM.
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      return exited;
    },
  };
}
