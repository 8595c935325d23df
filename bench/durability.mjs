// Scenario "durability": saturation throughput of pushback activations (closed loop: C clients
// each POST and wait for their push) with SQLite synchronous=FULL (the default: every commit is
// fsynced) and synchronous=NORMAL (WAL commits are fsynced only at checkpoints). Both servers
// run at once and are measured in alternating rounds.
import { API_KEY, startRoundel } from './lib/servers.mjs';
import { log, round, runClient } from './lib/util.mjs';

export async function runDurability({ quick }) {
  const plan = {
    mode: 'closed',
    apiKey: API_KEY,
    dialogs: quick ? 100 : 1000,
    concurrency: 16,
    rampMs: 300,
    roundMs: quick ? 1000 : 3000,
    rounds: quick ? 2 : 4,
  };
  const servers = {};
  let modes;
  try {
    for (const sync of ['FULL', 'NORMAL']) servers[sync] = await startRoundel({ sync });
    modes = await runClient(
      'pushgate-load.mjs',
      { ...plan, targets: Object.entries(servers).map(([name, s]) => ({ name, kind: 'roundel', url: s.url })) },
      { timeoutMs: 180_000 },
    );
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  for (const [sync, m] of Object.entries(modes)) log(`durability: ${sync} ${m.perSecond} activations/s, p50 ${m.p50Ms} p99 ${m.p99Ms} ms`);
  return {
    dialogs: plan.dialogs,
    concurrency: plan.concurrency,
    measuredMs: plan.roundMs * plan.rounds,
    modes,
    normalOverFull: round(modes.NORMAL.perSecond / modes.FULL.perSecond, 2),
  };
}
