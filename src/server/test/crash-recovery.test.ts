/**
 * Crash during group commit, against the real server process: 2,000 pushback activations offered
 * as fast as the server takes them (64 chats, one activation in flight per chat, so each chat's
 * order is the order it was sent in), SIGKILL at a moment drawn from a fixed, printed seed, then a
 * restart on the same database. Every activation answered 202 must reach its visitor exactly
 * once and in order; one that was not answered 202 may appear (it may have committed just before
 * the kill) but never twice. Both engines: the embedded SQLite file, and PostgreSQL (a real server,
 * `ROUNDEL_DATABASE_URL`), whose group commit (store/postgres/batch.ts) is killed mid-batch the same way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from './harness';
import { usePostgres } from './services';
import { startServerProcess, writeProcessConfig, type ServerProcess } from './server-process';

const API_KEY = 'crash-test-key-0123456789';
const ORIGIN = 'https://shop.example';
const CHATS = 64;
const ACTIVATIONS = 2000;

/** mulberry32: a small seeded PRNG, so a failing seed replays the same kill point. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Lane {
  chatId: string;
  token: string;
  pushback: string;
  /** Texts answered 202, in the order sent. */
  acked: string[];
  /** Texts sent but not answered 202 (the kill cut them off). */
  unacked: string[];
}

const postgres = usePostgres();

let dir: string | undefined;
let running: ServerProcess | undefined;

afterEach(async () => {
  await running?.kill();
  running = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const wsUrl = (url: string) => `${url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-test`;

async function openLane(url: string): Promise<Lane> {
  const client = await TestClient.open(wsUrl(url), ORIGIN);
  const login = await client.call('login');
  client.ws.terminate();
  const chatId = String(login.chat_id);
  const res = await fetch(`${url}/api/v1/pushbacks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'crash', eventData: {} }),
  });
  expect(res.status).toBe(201);
  const pushback = (await res.json()) as { id: string };
  return { chatId, token: String(login.token), pushback: pushback.id, acked: [], unacked: [] };
}

const activate = (url: string, lane: Lane, text: string) =>
  fetch(`${url}/pushgate/push_${lane.pushback}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });

/** Offers the activations until they are all sent or the server died; kills it after `killAfter` 202s. */
async function offer(server: ServerProcess, lanes: Lane[], killAfter: number): Promise<void> {
  let sent = 0;
  let answered = 0;
  let dead = false;
  await Promise.all(
    lanes.map(async (lane, i) => {
      for (let k = 0; !dead && sent < ACTIVATIONS; k += 1) {
        sent += 1;
        const text = `c${i}-${k}`;
        const status = await activate(server.url, lane, text).then(
          (res) => res.status,
          () => 0,
        );
        if (status === 202) lane.acked.push(text);
        else {
          lane.unacked.push(text);
          dead = true;
        }
        answered += status === 202 ? 1 : 0;
        if (answered === killAfter && !dead) {
          dead = true;
          server.child.kill('SIGKILL');
        }
      }
    }),
  );
}

/** The bot texts the visitor of `lane` sees once everything before a final marker is processed. */
async function transcript(url: string, lane: Lane, marker: string): Promise<string[]> {
  const client = await TestClient.open(wsUrl(url), ORIGIN);
  try {
    const login = await client.call('login', { token: lane.token, last_seq: 0 });
    expect(login.chat_id).toBe(lane.chatId);
    expect((await activate(url, lane, marker)).status).toBe(202);
    // One chat's items run in order: once the marker's reply is here, everything before it ran.
    await client.waitFor((f) => f.type === 'push' && (f.payload as { event?: { text?: string } }).event?.text === marker, 20_000);
    return client.texts('bot').filter((t) => t !== marker);
  } finally {
    client.ws.terminate();
  }
}

describe.each(['sqlite', 'postgres'] as const)('a crash during group commit (%s)', (engine) => {
  it.each([1337, 424242, 20261203])(
    'seed %i: every 202 is shown exactly once and in order after a SIGKILL and a restart',
    async (seed) => {
      // With a database URL the store is PostgreSQL and the SQLite path is not used (README, docs/scaling.md).
      const env: Record<string, string> = engine === 'postgres' ? { ROUNDEL_DATABASE_URL: postgres().database() } : {};
      dir = mkdtempSync(join(tmpdir(), 'roundel-crash-'));
      const bot = join(dir, 'echo-bot.mjs');
      writeFileSync(bot, 'export default { async onEvent(ctx, event, data) { await ctx.say(String(data.text)); } };\n');
      const config = writeProcessConfig(dir, bot, API_KEY, ORIGIN);
      const db = join(dir, 'roundel.db');
      const killAfter = 200 + Math.floor(random(seed)() * (ACTIVATIONS - 400));

      running = await startServerProcess(db, config, env);
      const lanes = await Promise.all(Array.from({ length: CHATS }, () => openLane(running!.url)));
      await offer(running, lanes, killAfter);
      await running.kill();
      const acked = lanes.reduce((n, lane) => n + lane.acked.length, 0);
      expect(acked, `${engine}, seed ${seed}: killed after ${killAfter} answers`).toBeGreaterThanOrEqual(killAfter);

      running = await startServerProcess(db, config, env);
      const url = running.url;
      const seen = await Promise.all(lanes.map((lane, i) => transcript(url, lane, `end-${i}`)));
      lanes.forEach((lane, i) => {
        const texts = seen[i] ?? [];
        const context = `${engine}, seed ${seed}, kill after ${killAfter}, chat ${i}`;
        // Nothing twice, nothing that was never sent.
        expect(new Set(texts).size, context).toBe(texts.length);
        expect(texts.filter((t) => !lane.acked.includes(t) && !lane.unacked.includes(t)), context).toEqual([]);
        // Every 202 exactly once, in the order sent.
        expect(texts.filter((t) => lane.acked.includes(t)), context).toEqual(lane.acked);
      });
      expect(await running.stop()).toBe(0);
      running = undefined;
    },
    60_000,
  );
});
