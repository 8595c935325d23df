import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogFields } from '../logger';
import { TestClient } from '../test/harness';
import { installProcessGuard, type GuardedProcess } from './process-guard';

describe('installProcessGuard', () => {
  it('logs uncaught exceptions and unhandled rejections and keeps going; exits only when asked', () => {
    const lines: Array<[string, LogFields | undefined]> = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (msg: string, fields?: LogFields) => lines.push([msg, fields]) };
    const proc = new EventEmitter();
    const exits: number[] = [];
    const remove = installProcessGuard(logger, proc as unknown as GuardedProcess, { exit: (code) => exits.push(code) });
    proc.emit('uncaughtException', new Error('boom'));
    proc.emit('unhandledRejection', new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); } }));
    expect(lines.map(([msg, fields]) => [msg, fields?.error])).toEqual([
      ['uncaught exception (most likely in bot code)', 'boom'],
      ['unhandled promise rejection (most likely in bot code)', 'a thrown value that cannot be described'],
    ]);
    expect(exits).toEqual([]);
    remove();
    expect(proc.listenerCount('uncaughtException') + proc.listenerCount('unhandledRejection')).toBe(0);

    installProcessGuard(logger, proc as unknown as GuardedProcess, { exitOnUncaught: true, exit: (code) => exits.push(code) });
    proc.emit('uncaughtException', new Error('again'));
    expect(exits).toEqual([1]);
  });
});

const root = fileURLToPath(new URL('../../..', import.meta.url));
const BOT = `export default {
  async onMessage(ctx, text) {
    if (text === 'boom') {
      setTimeout(() => { throw new Error('bot timer boom'); }, 0);
      Promise.reject(new Error('bot rejection'));
    }
    await ctx.say(text === 'boom' ? 'armed' : 'pong');
  },
};
`;

let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts `roundel serve` with the throwing bot; resolves with its URL and a way to await stderr text. */
async function serve(env: Record<string, string> = {}) {
  const work = mkdtempSync(join(tmpdir(), 'roundel-guard-'));
  dir = work;
  writeFileSync(join(work, 'bot.mjs'), BOT);
  const endpoint = { organization: 'acme', endpoint: 'acme-test', bot: './bot.mjs', allowedOrigins: [] };
  writeFileSync(join(work, 'config.json'), JSON.stringify({ endpoints: [endpoint] }));
  const args = ['--import', 'tsx', 'src/main/cli.ts', 'serve', '--port', '0', '--db', join(work, 'r.db'), '--config', join(work, 'config.json')];
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ROUNDEL_LOG_LEVEL: 'error', ROUNDEL_SECRET: 'guard-test-secret-0123456789', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /http:\/\/\S+/.exec(stdout);
      if (match) resolve(match[0]);
    });
    void exited.then(() => reject(new Error(`exited early: ${stderr}`)));
  });
  const logged = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => stderr.includes(text) && resolve();
      proc.stderr.on('data', check);
      check();
    });
  return { url, logged, exited };
}

describe('roundel serve and a bot that throws from its own timer', () => {
  it('logs the error and keeps serving', async () => {
    const { url, logged } = await serve();
    const client = await TestClient.open(`${url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-test`, url);
    await client.call('login');
    await client.call('send_event', { event: { type: 'message', text: 'boom', custom_id: 'b' } });
    // pino writes the fields, then "msg" last.
    await logged('"error":"bot timer boom"');
    await logged('"msg":"uncaught exception (most likely in bot code)"');
    await logged('"error":"bot rejection"');
    await logged('"msg":"unhandled promise rejection (most likely in bot code)"');
    await client.call('send_event', { event: { type: 'message', text: 'ping', custom_id: 'p' } });
    await client.pushesUntil(4);
    expect(client.texts()).toEqual(['armed', 'pong']);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok', node: expect.any(String) });
    client.ws.close();
  }, 30_000);

  it('exits with 1 instead when ROUNDEL_EXIT_ON_UNCAUGHT=1', async () => {
    const { url, exited } = await serve({ ROUNDEL_EXIT_ON_UNCAUGHT: '1' });
    const client = await TestClient.open(`${url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-test`, url);
    await client.call('login');
    await client.call('send_event', { event: { type: 'message', text: 'boom', custom_id: 'b' } });
    expect(await exited).toBe(1);
  }, 30_000);
});
