// Scenario "logging": what structured logging (pino, one access line per request at `info`)
// costs on the pushgate path. Two Roundel servers in one run, one at ROUNDEL_LOG_LEVEL=info
// (an access line per activation on stderr, read by the bench as a log shipper would) and one
// at `silent`. The pushgate load process drives each in turn, in rounds, closed loop (C
// activations in flight, each waiting for its push on the visitor's websocket), so both see the
// same stretch of a shared machine: the rate each reaches, and its server CPU per activation.
import { API_KEY, startRoundel } from './lib/servers.mjs';
import { cpuMsOf, log, round, runClient } from './lib/util.mjs';

const LEVELS = ['info', 'silent'];

export async function runLogging({ quick }) {
  const plan = {
    mode: 'closed',
    dialogs: quick ? 100 : 500,
    apiKey: API_KEY,
    concurrency: 32,
    rounds: quick ? 3 : 8,
    roundMs: quick ? 1500 : 4000,
  };
  const servers = {};
  let run;
  const cpuBefore = {};
  try {
    for (const level of LEVELS) servers[level] = await startRoundel({ logLevel: level });
    for (const level of LEVELS) cpuBefore[level] = cpuMsOf(servers[level].pid);
    log(`logging: ${plan.dialogs} dialogs, ${plan.concurrency} in flight, ${plan.rounds} rounds on Roundel at info and at silent`);
    run = await runClient(
      'pushgate-load.mjs',
      { ...plan, targets: LEVELS.map((level) => ({ name: `roundel-${level}`, kind: 'roundel', url: servers[level].url })) },
      { timeoutMs: 300_000 },
    );
    for (const level of LEVELS) cpuBefore[level] = cpuMsOf(servers[level].pid) - cpuBefore[level];
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  const levels = {};
  for (const level of LEVELS) {
    const r = run[`roundel-${level}`];
    // Whole-run CPU (dialog setup included, the same for both) over the activations completed.
    const cpuMsPerActivation = r.completed > 0 ? round(cpuBefore[level] / r.completed, 3) : null;
    levels[level] = { perSecond: r.perSecond, completed: r.completed, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, cpuMsPerActivation };
    log(`logging: ${level}: ${r.perSecond}/s (p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.errors} errors), ${cpuMsPerActivation} ms server CPU per activation`);
  }
  const ratio = (a, b) => (a && b ? round(a / b, 3) : null);
  const result = {
    ...plan,
    levels,
    ratios: {
      // Below 1: logging at info costs that share of the rate (the bound: at least 0.95).
      infoOverSilentRate: ratio(levels.info.perSecond, levels.silent.perSecond),
      infoOverSilentCpuPerActivation: ratio(levels.info.cpuMsPerActivation, levels.silent.cpuMsPerActivation),
    },
  };
  log(`logging: info/silent rate ${result.ratios.infoOverSilentRate}, CPU per activation ${result.ratios.infoOverSilentCpuPerActivation}`);
  return result;
}
