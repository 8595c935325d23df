import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args';
import { TestClient } from '../server/test/harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let child: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roundel-cli-'));
});

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ROUNDEL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = stdout.split('\n').find((l) => pattern.test(l));
        if (found) resolve(found);
      };
      proc.stdout.on('data', check);
      void exited.then(() => reject(new Error(`exited; stdout: ${stdout}; stderr: ${stderr}`)));
      check();
    });
  return { proc, exited, line, output: () => ({ stdout, stderr }) };
}

describe('roundel serve', () => {
  it('prints the URL for --port 0, serves the demo bot, and exits 0 on SIGTERM', async () => {
    const cli = run(['serve', '--port', '0', '--db', join(dir, 'sub', 'r.db')], { ROUNDEL_API_KEY: 'cli-test-key' });
    const listening = await cli.line(/http:\/\//);
    expect(listening).toMatch(/^Roundel listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = listening.slice(listening.indexOf('http://'));
    expect(cli.output().stdout).toContain('API key for endpoint acme-demo: from ROUNDEL_API_KEY');
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok', node: expect.any(String) });

    const client = await TestClient.open(`${url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-demo`, url);
    const login = await client.call('login');
    expect(login.settings).toEqual({ title: 'Acme', theme: {} });
    await client.pushesUntil(1);
    expect(client.texts()[0]).toMatch(/^Hi! I'm the Acme demo bot\./);

    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(await client.waitClose()).toBe(1001);
  });

  it('exits non-zero naming the bad field of an invalid config', async () => {
    const config = join(dir, 'roundel.json');
    writeFileSync(config, JSON.stringify({ endpoints: [{ organization: 'a', endpoint: 'b', bot: './x.mjs', allowedOrigins: ['nope'] }] }));
    const bad = run(['serve', '--port', '0', '--config', config]);
    expect(await bad.exited).toBe(1);
    expect(bad.output().stderr.trim()).toBe('config: endpoints[0].allowedOrigins[0] must be an origin like https://example.com');
  });

  it('exits 2 on unknown flags', async () => {
    const cli = run(['serve', '--colour']);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toContain("roundel: Unknown option '--colour'");
  });
});

describe('parseCliArgs', () => {
  it('lets flags win over environment variables over defaults', () => {
    expect(parseCliArgs([], {})).toEqual({
      ok: true,
      value: { port: 8080, host: '127.0.0.1', db: './data/roundel.db', config: undefined, publicUrl: undefined },
    });
    const env = { PORT: '9000', HOST: '0.0.0.0', ROUNDEL_DB: '/tmp/x.db', ROUNDEL_CONFIG: 'c.json', ROUNDEL_PUBLIC_URL: 'https://chat.example' };
    expect(parseCliArgs(['serve'], env)).toEqual({
      ok: true,
      value: { port: 9000, host: '0.0.0.0', db: '/tmp/x.db', config: 'c.json', publicUrl: 'https://chat.example' },
    });
    expect(parseCliArgs(['serve', '--port', '0', '--public-url=https://other.example'], env)).toMatchObject({
      ok: true,
      value: { port: 0, publicUrl: 'https://other.example' },
    });
  });

  it('refuses bad ports, commands and arguments', () => {
    expect(parseCliArgs(['--port', '70000'], {})).toEqual({ ok: false, error: "--port must be an integer from 0 to 65535, got '70000'" });
    expect(parseCliArgs(['--port', '-1'], {}).ok).toBe(false);
    expect(parseCliArgs(['start'], {})).toEqual({ ok: false, error: "unknown command 'start'" });
    expect(parseCliArgs(['serve', 'extra'], {})).toEqual({ ok: false, error: "unexpected argument 'extra'" });
    expect(parseCliArgs(['--help'], {})).toEqual({ ok: true, value: 'help' });
  });
});
