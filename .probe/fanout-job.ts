import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedChats } from '../src/server/test/api';
import { openSqliteStore } from '../src/server/store/sqlite';
import { multicastPushes } from '../src/server/chat/pushes';
const dir = mkdtempSync(join(tmpdir(), 'probe-'));
const path = join(dir, 'roundel.db');
const N = 10000;
seedChats(path, Array.from({ length: N }, (_, i) => ({ id: `seed-${String(i).padStart(5, '0')}` })));
const store = openSqliteStore(path);
const endpoint = (await store.getChat('seed-00000'))!.endpoint;
const input = { kind: 'external' as const, event: 'e', data: { text: 'x' }, multicast: false };
const opts = { inbox: true, multicast: multicastPushes('e', { text: 'x' }) };
const times: number[] = [];
if (process.argv[2] === "warm") { const w0 = performance.now(); for (let i = 0; i < N; i++) await store.getChat(`seed-${String(i).padStart(5, "0")}`); console.log("warm ms", (performance.now() - w0).toFixed(0)); }
for (let after = ''; ;) {
  const t0 = performance.now();
  const ids = await store.chatIds(endpoint, after, 100);
  const t1 = performance.now();
  if (ids.length === 0) break;
  await store.fanOut(ids, input, opts);
  times.push(performance.now() - t1);
  after = ids[ids.length - 1]!;
  if (times.length === 1) console.log('chatIds ms', (t1 - t0).toFixed(2));
}
times.sort((a, b) => a - b);
console.log('fanOut(100) ms p50', times[times.length >> 1]!.toFixed(1), 'max', times.at(-1)!.toFixed(1), 'sum', times.reduce((a, b) => a + b, 0).toFixed(0));
await store.close();
