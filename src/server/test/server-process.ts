/**
 * A real `roundel serve` process for tests that must crash it: SIGKILL leaves the database
 * exactly as a power-less crash of the process would. The unit tests run it from source (through
 * tsx); the e2e specs run the built server through {@link spawnServer}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface ServerProcess {
  /** `http://127.0.0.1:PORT` */
  url: string;
  child: ChildProcess;
  /** SIGKILL (a crash), resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, resolved with the exit code. */
  stop(): Promise<number | null>;
  /** Everything the process wrote to stdout/stderr so far (for failure messages). */
  output(): string;
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
    env: {
      PATH: process.env.PATH ?? '',
      ROUNDEL_LOG_LEVEL: 'warn',
      // Every test client comes from 127.0.0.1: the per-address guards would refuse a load test.
      ROUNDEL_HTTP_RATE_LIMIT: 'off',
      ROUNDEL_MAX_CONNECTIONS_PER_IP: '1000',
      ...env,
    },
  });
}

/**
 * Runs `node ...args` (a Roundel server, from source or built) and resolves once it printed the
 * URL it listens on; rejects with its output if it exits first. Shared with the e2e specs.
 */
export async function spawnServer(args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      const match = /http:\/\/[\w.[\]:-]+:\d+/.exec(line);
      if (match) resolve(match[0]);
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
  return {
    url,
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    output: () => output,
  };
}
