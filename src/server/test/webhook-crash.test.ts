/**
 * A crash between a push's commit and the enqueue of its webhook deliveries, against the real
 * server process, in both engines: the process SIGKILLs itself in that window (the
 * ROUNDEL_TEST_KILL_BEFORE_WEBHOOK_ENQUEUE hook, src/main/cli.ts), then restarts on the same
 * database. The receiver must get every push's delivery, dropping repeats by `webhook_id` as
 * docs/agent-api.md#webhooks tells receivers to: exactly one delivery per push, and no new ids
 * after a further restart.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../webhooks/sign';
import { TestClient } from './harness';
import { ROOT, spawnServer, testServerEnv, type ServerProcess } from './server-process';
import { usePostgres } from './services';

const ORIGIN = 'https://shop.example';
const SECRET = 'crash-hook-secret';
const KILL_HOOK = 'ROUNDEL_TEST_KILL_BEFORE_WEBHOOK_ENQUEUE';

interface Delivery {
  webhook_id: string;
  action: string;
  payload: { chat_id?: string; event?: { id: string; text?: string; author_id: string }; chat?: { id: string } };
}

/** A webhook receiver on 127.0.0.1: checks each signature, keeps every delivery, answers 200. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private readonly waiters = new Set<() => void>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['x-roundel-signature'];
        if (!verifySignature(SECRET, body, typeof signature === 'string' ? signature : undefined)) {
          res.writeHead(401).end();
          return;
        }
        this.deliveries.push(JSON.parse(body) as Delivery);
        res.writeHead(200).end();
        for (const wake of this.waiters) wake();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Deliveries with repeats dropped by `webhook_id`, as a receiver keeps them. */
  unique(): Delivery[] {
    const seen = new Set<string>();
    return this.deliveries.filter((d) => !seen.has(d.webhook_id) && seen.add(d.webhook_id) !== undefined);
  }

  /** Resolves once a delivery matches `predicate` (the test's timeout bounds the wait). */
  waitFor(predicate: (d: Delivery) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.deliveries.some(predicate)) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let dir: string | undefined;
let running: ServerProcess | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await running?.kill();
  running = undefined;
  await receiver?.close();
  receiver = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const text = (d: Delivery) => d.payload.event?.text;

/** The whole scenario on the server started by `start` (the same database every time). */
async function crashBetweenCommitAndEnqueue(start: (env: Record<string, string>) => Promise<ServerProcess>): Promise<void> {
  // 1. A visitor's message is committed; the process dies before its deliveries are enqueued.
  running = await start({ [KILL_HOOK]: 'incoming_event' });
  const wsUrl = () => `${running!.url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-test`;
  const visitor = await TestClient.open(wsUrl(), ORIGIN);
  const login = await visitor.call('login');
  const chatId = String(login.chat_id);
  const exited = new Promise<string | null>((resolve) => running!.child.once('exit', (_code, signal) => resolve(signal)));
  // Its answer may or may not leave before the kill; the transcript after the restart tells.
  visitor.request('send_event', { event: { type: 'message', text: 'lost in the window?', custom_id: 'm0' } }).catch(() => undefined);
  expect(await exited).toBe('SIGKILL');
  visitor.ws.terminate();
  expect(receiver!.deliveries.filter((d) => d.action === 'incoming_event')).toEqual([]);

  // 2. Restarted: the committed message is in the transcript and its webhook goes out.
  running = await start({});
  const again = await TestClient.open(wsUrl(), ORIGIN);
  const resumed = await again.call('login', { token: String(login.token), last_seq: 0 });
  expect(resumed.chat_id).toBe(chatId);
  await again.waitFor((f) => f.type === 'push' && (f.payload as { event?: { text?: string } }).event?.text === 'lost in the window?');
  await receiver!.waitFor((d) => text(d) === 'lost in the window?');
  // A marker sent after it arrives after it (one chat's deliveries go out in order).
  await again.call('send_event', { event: { type: 'message', text: 'marker 1', custom_id: 'm1' } });
  await receiver!.waitFor((d) => text(d) === 'ok: marker 1');
  again.ws.terminate();

  // 3. A clean restart sends nothing again under a new id.
  expect(await running.stop()).toBe(0);
  running = await start({});
  const third = await TestClient.open(wsUrl(), ORIGIN);
  await third.call('login', { token: String(login.token), last_seq: 0 });
  await third.call('send_event', { event: { type: 'message', text: 'marker 2', custom_id: 'm2' } });
  await receiver!.waitFor((d) => text(d) === 'ok: marker 2');
  third.ws.terminate();

  const unique = receiver!.unique().filter((d) => d.payload.chat_id === chatId || d.payload.chat?.id === chatId);
  const visitorTexts = unique.filter((d) => d.action === 'incoming_event' && d.payload.event?.author_id === chatId).map(text);
  expect(visitorTexts).toEqual(['lost in the window?', 'marker 1', 'marker 2']);
  // The bot's answers too, each once (the bot answers "ok: <text>").
  const botTexts = unique.filter((d) => d.action === 'incoming_event' && d.payload.event?.author_id !== chatId).map(text);
  expect(botTexts).toEqual(['ok: lost in the window?', 'ok: marker 1', 'ok: marker 2']);
  expect(unique.filter((d) => d.action === 'incoming_chat_thread')).toHaveLength(1);
  expect(await running.stop()).toBe(0);
  running = undefined;
}

function writeConfig(): string {
  dir = mkdtempSync(join(tmpdir(), 'roundel-webhook-crash-'));
  const bot = join(dir, 'bot.mjs');
  writeFileSync(bot, 'export default { async onMessage(ctx, text) { await ctx.say(`ok: ${text}`); } };\n');
  const config = join(dir, 'roundel.config.json');
  const hook = { url: receiver!.url, secret: SECRET, actions: ['incoming_chat_thread', 'incoming_event'] };
  writeFileSync(config, JSON.stringify({ endpoints: [{ organization: 'acme', endpoint: 'acme-test', bot, allowedOrigins: [ORIGIN], webhooks: [hook] }] }));
  return config;
}

const serve = (args: string[]) => (env: Record<string, string>) =>
  spawnServer(['--import', 'tsx', 'src/main/cli.ts', 'serve', '--port', '0', ...args], { cwd: ROOT, env: testServerEnv(env) });

describe('a crash between a push and its webhook enqueue', () => {
  const postgres = usePostgres();

  it('SQLite: the webhook is delivered after the restart, once per webhook_id', async () => {
    receiver = new Receiver();
    await receiver.start();
    const config = writeConfig();
    await crashBetweenCommitAndEnqueue(serve(['--config', config, '--db', join(dir!, 'roundel.db')]));
  }, 60_000);

  it('PostgreSQL: the webhook is delivered after the restart, once per webhook_id', async () => {
    receiver = new Receiver();
    await receiver.start();
    const config = writeConfig();
    await crashBetweenCommitAndEnqueue(serve(['--config', config, '--database', postgres().database(), '--node-id', 'crash-node']));
  }, 60_000);
});
