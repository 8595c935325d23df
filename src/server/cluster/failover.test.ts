/**
 * Whole node processes failing: three `roundel serve --database … --redis …` processes behind a
 * round-robin TCP balancer, on a real PostgreSQL and Redis. A node SIGKILLed mid-load loses
 * nothing answered 202 and shows nothing twice; a paused shard owner that lost its lease cannot
 * commit when it wakes up.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredPush } from '../../protocol';
import { startBalancer, type Balancer } from '../../../scripts/balancer.mjs';
import { TestClient } from '../test/harness';
import { startNodeProcess, writeNodeConfig, type NodeProcess } from '../test/node-process';
import { usePostgres, useRedis } from '../test/services';
import { shardOf } from './leases';

const postgres = usePostgres();
const redis = useRedis();
const API_KEY = 'cluster-test-key-0123456789';
const ORIGIN = 'https://shop.example';

const BOT = `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
  async onEvent(ctx, event, data) {
    if (event === 'slow') {
      await ctx.say('started');
      await sleep(3000);
      await ctx.say('done');
      return;
    }
    await ctx.say(String(data.text));
  },
};
`;

let dir: string | undefined;
let nodes: NodeProcess[] = [];
let balancer: Balancer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await balancer?.close();
  await Promise.all(nodes.map((node) => node.stop()));
  nodes = [];
  balancer = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startCluster(logLevel = 'warn', count = 3): Promise<{ database: string; url: string }> {
  dir = mkdtempSync(join(tmpdir(), 'roundel-cluster-'));
  const config = writeNodeConfig(dir, BOT, API_KEY, ORIGIN);
  const database = postgres().database();
  balancer = await startBalancer([]);
  // One after the other: the first migrates the database, the others find it ready.
  for (let i = 0; i < count; i += 1) {
    nodes.push(
      await startNodeProcess({ name: `node-${i + 1}`, database, redis: redis().url, config, publicUrl: balancer.url, env: { ROUNDEL_LOG_LEVEL: logLevel } }),
    );
  }
  balancer.setBackends(nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
  return { database, url: balancer.url };
}

/** A POST on a connection of its own, so that the balancer spreads requests over the nodes. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? null : (JSON.parse(text) as unknown) }));
      res.on('error', () => resolve({ status: 0, body: null }));
    });
    // A node killed mid-request: no answer, which the caller must treat as "maybe stored".
    req.on('error', () => resolve({ status: 0, body: null }));
    req.end(JSON.stringify(body));
  });
}

/** A POST answered with its status and `Retry-After` (the retries of the unanswered ones). */
function postWithHeaders(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', () => resolve({ status: 0 }));
    req.end(JSON.stringify(body));
  });
}

const wsUrl = (url: string) => `${url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-test`;

async function visitor(url: string): Promise<{ client: TestClient; chatId: string; token: string; pushback: string }> {
  const client = await TestClient.open(wsUrl(url), ORIGIN);
  clients.push(client);
  const login = await client.call('login');
  const chatId = String(login.chat_id);
  const made = await post(`${url}/api/v1/pushbacks`, { channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'news', eventData: {} }, {
    authorization: `Bearer ${API_KEY}`,
  });
  expect(made.status).toBe(201);
  return { client, chatId, token: String(login.token), pushback: String((made.body as { id: string }).id) };
}

type Lane = Awaited<ReturnType<typeof visitor>>;

/**
 * What the visitor of `lane` was shown, by seq, once the answer to `marker` arrived: the pushes of
 * its first connection, then (when that node died) the history and pushes of a resumed one.
 */
async function transcriptUntil(url: string, lane: Lane, marker: string): Promise<{ texts: string[]; seqs: number[] }> {
  const shown = new Map<number, string>();
  const keep = (client: TestClient) => {
    for (const push of client.storedPushes()) {
      if (push.action === 'incoming_event' && push.payload.event.author === 'bot') shown.set(push.payload.seq, push.payload.event.text);
    }
  };
  let client = lane.client;
  if (client.closeCode !== undefined || client.ws.readyState !== client.ws.OPEN) {
    keep(client);
    client = await TestClient.open(wsUrl(url), ORIGIN);
    clients.push(client);
    const lastSeq = Math.max(0, ...shown.keys());
    const login = await client.call('login', { token: lane.token, last_seq: lastSeq });
    for (const push of (login.history ?? []) as StoredPush[]) {
      if (push.action === 'incoming_event' && push.payload.seq > lastSeq) shown.set(push.payload.seq, push.payload.event.text);
    }
  }
  expect((await post(`${url}/pushgate/push_${lane.pushback}`, { text: marker })).status).toBe(202);
  await client.waitFor(botTextIs(marker), 30_000);
  keep(client);
  const seqs = [...shown.keys()].sort((a, b) => a - b);
  return { texts: seqs.map((seq) => shown.get(seq) as string).filter((t) => t !== marker), seqs };
}

const botTextIs = (text: string) => (f: Record<string, unknown>) =>
  f.type === 'push' && (f.payload as { event?: { text?: string; author?: string } }).event?.text === text;

describe('a cluster of three node processes', () => {
  it('loses nothing answered 202 and shows nothing twice when a node is SIGKILLed mid-load and the unanswered are retried elsewhere', async () => {
    const { url } = await startCluster();
    const lanes = await Promise.all(Array.from({ length: 20 }, () => visitor(url)));
    const acked: string[][] = lanes.map(() => []);
    const unanswered: string[][] = lanes.map(() => []);
    const victim = nodes[2] as NodeProcess;
    let answered = 0;
    let sent = 0;
    // 1,000 activations, each with its own Idempotency-Key, one in flight per visitor (so each
    // visitor's order is the order sent).
    await Promise.all(
      lanes.map(async (lane, i) => {
        while (sent < 1000) {
          sent += 1;
          const text = `v${i}-${sent}`;
          const { status } = await post(`${url}/pushgate/push_${lane.pushback}`, { text }, { 'idempotency-key': text });
          if (status === 202) acked[i]?.push(text);
          else unanswered[i]?.push(text);
          if (status === 202 && ++answered === 400) victim.child.kill('SIGKILL');
        }
      }),
    );
    await victim.kill();
    expect(answered).toBeGreaterThanOrEqual(400);

    // Every unanswered activation is retried on a surviving node with the same key, as a caller
    // would, until it is answered 202. A key the dead node had claimed is free once its heartbeat
    // is older than the lease lifetime (429 with Retry-After until then); one it had stored before
    // dying is found in the inbox, not stored again.
    const survivor = nodes[0] as NodeProcess;
    await Promise.all(
      lanes.map(async (lane, i) => {
        for (const text of unanswered[i] ?? []) {
          for (let attempt = 0; ; attempt += 1) {
            const retry = await postWithHeaders(`${survivor.url}/pushgate/push_${lane.pushback}`, { text }, { 'idempotency-key': text });
            if (retry.status === 202) break;
            expect([retry.status, attempt < 40], text).toEqual([429, true]);
            await new Promise((resolve) => setTimeout(resolve, Number(retry.retryAfter ?? '1') * 1000));
          }
        }
      }),
    );

    // Every visitor sends a last marker through the balancer; once its answer is shown, everything
    // before it was processed by whichever node owns the chat now. A visitor whose node was killed
    // resumes through the balancer from the last seq it saw, as the widget does.
    const seen = await Promise.all(lanes.map((lane, i) => transcriptUntil(url, lane, `end-${i}`)));
    seen.forEach(({ texts, seqs }, i) => {
      const context = `visitor ${i}`;
      const all = [...(acked[i] ?? []), ...(unanswered[i] ?? [])];
      // Each activation answered 202 (at first or on its retry) shown exactly once, nothing else.
      expect(new Set(texts).size, context).toBe(texts.length);
      expect([...texts].sort(), context).toEqual([...all].sort());
      // Those answered at first in the order they were sent.
      expect(texts.filter((t) => acked[i]?.includes(t)), context).toEqual(acked[i]);
      expect(seqs, context).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    });
  }, 180_000);

  it('refuses the commits of a paused shard owner that lost its lease; its outputs appear once', async () => {
    // At `info`, the woken node's log says when its commit was refused.
    const { database, url } = await startCluster('info');
    const lane = await visitor(url);
    const db = new pg.Client({ connectionString: database });
    await db.connect();
    try {
      // Wait until the leases have settled over the three nodes, then find the chat's owner.
      for (;;) {
        const { rows } = await db.query<{ owners: string; least: string }>(
          `SELECT count(DISTINCT owner) AS owners, min(n) AS least FROM
             (SELECT owner, count(*) AS n FROM roundel_shard_leases WHERE expires_at > clock_timestamp() GROUP BY owner) AS o`,
        );
        if (Number(rows[0]?.owners) === 3 && Number(rows[0]?.least) >= 20) break;
      }
      const owner = async () => {
        const { rows } = await db.query<{ owner: string }>('SELECT owner FROM roundel_shard_leases WHERE shard = $1', [shardOf(lane.chatId)]);
        return String(rows[0]?.owner).split('/')[0];
      };
      const ownerName = await owner();
      const paused = nodes.find((node) => node.name === ownerName) as NodeProcess;
      expect(paused).toBeDefined();

      // Watch from a node that will not be paused (the visitor resumes its chat there).
      const watcher = nodes.find((node) => node !== paused) as NodeProcess;
      const client = await TestClient.open(wsUrl(watcher.url), ORIGIN);
      clients.push(client);
      expect(await client.call('login', { token: lane.token, last_seq: 0 })).toMatchObject({ chat_id: lane.chatId });

      // The turn runs on the owner whichever node took the event; pause it after 'started'.
      const slow = await post(`${url}/api/v1/events/slow`, { users: [lane.chatId], data: {} }, { authorization: `Bearer ${API_KEY}` });
      expect(slow.status).toBe(202);
      await client.waitFor(botTextIs('started'), 20_000);
      paused.child.kill('SIGSTOP');

      // Another node takes the shard over once the lease runs out and re-runs the turn.
      await client.waitFor(botTextIs('done'), 40_000);
      expect(await owner()).not.toBe(ownerName);
      paused.child.kill('SIGCONT');
      // The woken node finishes its turn: its commit is refused by the fencing epoch.
      await paused.logLine(/chat moved to another node/);

      expect((await post(`${url}/pushgate/push_${lane.pushback}`, { text: 'after' })).status).toBe(202);
      await client.waitFor(botTextIs('after'), 20_000);
      expect(client.texts('bot')).toEqual(['started', 'done', 'after']);
      const seqs = client.storedPushes().map((p) => p.payload.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    } finally {
      await db.end();
    }
  }, 120_000);
});
