/**
 * The embedded (SQLite) server keeps its node name across a crash: the webhook leases it held
 * when it was killed carry that name, and a restarted server frees the leases of its own name at
 * start (src/server/webhooks/dispatcher.ts). With a per-process name, a delivery cut off by
 * SIGKILL would wait for its lease to run out instead of going out at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startServerProcess, writeProcessConfig } from './server-process';

const dir = mkdtempSync(join(tmpdir(), 'roundel-node-name-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function nodeName(url: string): Promise<unknown> {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { node?: unknown }).node;
}

it('names the embedded node the same after SIGKILL and restart', { timeout: 60_000 }, async () => {
  writeFileSync(join(dir, 'bot.mjs'), 'export default {};\n');
  const db = join(dir, 'roundel.db');
  const config = writeProcessConfig(dir, './bot.mjs', 'node-name-key-0123456789', 'https://shop.example');
  const first = await startServerProcess(db, config);
  let before: unknown;
  try {
    before = await nodeName(first.url);
  } finally {
    await first.kill();
  }
  expect(typeof before).toBe('string');
  const second = await startServerProcess(db, config);
  try {
    expect(await nodeName(second.url)).toBe(before);
  } finally {
    await second.stop();
  }
});
