// Local probe (not committed): longest event-loop stalls during a 10k fan-out with a bot reply.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { seedChats, startApiServer } from '../src/server/test/api';
import { GroupCommit } from '../src/server/store/group-commit';
const commits: Array<[number, number]> = [];
const proto = GroupCommit.prototype as unknown as { commit(b: { entries: unknown[] }): Promise<void> };
const original = proto.commit;
proto.commit = async function (this: unknown, batch: { entries: unknown[] }) {
  const t0 = performance.now();
  const r = original.call(this, batch);
  commits.push([batch.entries.length, performance.now() - t0]);
  return r;
};

const CHATS = Number(process.argv[2] ?? 10000);
const dir = mkdtempSync(join(tmpdir(), 'probe-'));
seedChats(join(dir, 'roundel.db'), Array.from({ length: CHATS }, (_, i) => ({ id: `seed-${String(i).padStart(5, '0')}` })));
const t = await startApiServer({ onEvent: (ctx, event) => ctx.say(`${event}!`) }, { dir });
const h = monitorEventLoopDelay({ resolution: 1 });
// Gaps between timer ticks: the longest synchronous stretches.
const gaps: number[] = [];
let last = performance.now();
const tick = setInterval(() => { const now = performance.now(); gaps.push(now - last); last = now; }, 1);
h.enable();
const started = performance.now();
const res = await t.call('/api/v1/events/announcement', { body: { users: 'everyone', platform: 'any', data: { text: 'x' } } });
const stored = performance.now() - started;
await t.server.idle();
const done = performance.now() - started;
h.disable(); clearInterval(tick);
gaps.sort((a, b) => a - b);
const q = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))]!.toFixed(1);
console.log(JSON.stringify({ status: res.status, storedMs: Math.round(stored), doneMs: Math.round(done), gapP50: q(0.5), gapP99: q(0.99), gapMax: q(1), delayP99: (h.percentile(99) / 1e6).toFixed(1), delayMax: (h.max / 1e6).toFixed(1) }));
commits.sort((a, b) => b[1] - a[1]);
console.log('commits', commits.length, 'slowest', JSON.stringify(commits.slice(0, 8).map(([j, ms]) => `${j} jobs ${ms.toFixed(1)} ms`)), 'total ms', commits.reduce((s, c) => s + c[1], 0).toFixed(0));
await t.close();
process.exit(0);
