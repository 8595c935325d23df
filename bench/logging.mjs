// Scenario "logging": what structured logging (pino, one access line per request at `info`)
// costs on the pushgate path. Two Roundel servers in one run, one at ROUNDEL_LOG_LEVEL=info
// (an access line per activation, on stderr, read by the bench as a log shipper would) and one at
// `silent`, measured in turns by the pushgate load process: the highest activation rate each
// sustains (p99 under 50 ms), and server CPU per activation at a common offered rate.
import { API_KEY, startRoundel } from './lib/servers.mjs';
import { cpuMsOf, log, round, runClient } from './lib/util.mjs';

const LEVELS = ['info', 'silent'];

export async function runLogging({ quick, startRate = 25 }) {
  const plan = {
    mode: 'ladder',
    dialogs: quick ? 100 : 500,
    apiKey: API_KEY,
    p99LimitMs: 50,
    startRate,
    maxRate: quick ? 12_800 : 25_600,
    stepMs: quick ? 1000 : 3000,
    minSamples: quick ? 40 : 300,
    warmupMs: quick ? 500 : 2000,
    drainMs: quick ? 1000 : 2000,
    refine: quick ? 1 : 2,
    idleMs: quick ? 1000 : 2000,
    cpuMaxRate: 1600,
    cpuStepMs: quick ? 2000 : 5000,
    cpuSamples: quick ? 600 : 3000,
  };
  const servers = {};
  const cpu = Object.fromEntries(LEVELS.map((level) => [level, { idleAt: 0, idle: 0, idleMs: 0, at: 0, t: 0, common: null }]));
  const onMark = ({ phase, target, sent }) => {
    const now = performance.now();
    if (phase === 'idle-start' || phase === 'idle-end') {
      for (const level of LEVELS) {
        const c = cpu[level];
        const ms = cpuMsOf(servers[level].pid);
        if (phase === 'idle-start') [c.idleAt, c.t] = [ms, now];
        else [c.idle, c.idleMs] = [ms - c.idleAt, now - c.t];
      }
      return;
    }
    const level = target?.replace('roundel-', '');
    const c = cpu[level];
    if (!c) return;
    const ms = cpuMsOf(servers[level].pid);
    if (phase === 'cpu-start') [c.at, c.t] = [ms, now];
    else if (phase === 'cpu-end') c.common = { used: ms - c.at, wallMs: now - c.t, sent };
  };
  let run;
  try {
    for (const level of LEVELS) servers[level] = await startRoundel({ logLevel: level });
    log(`logging: ${plan.dialogs} dialogs on Roundel at info and at silent`);
    run = await runClient(
      'pushgate-load.mjs',
      { ...plan, targets: LEVELS.map((level) => ({ name: `roundel-${level}`, kind: 'roundel', url: servers[level].url })) },
      { timeoutMs: 300_000, onMessage: (message) => message.type === 'mark' && onMark(message) },
    );
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  const out = {};
  for (const level of LEVELS) {
    const r = run.targets[`roundel-${level}`];
    const c = cpu[level];
    const idleRate = c.idleMs > 0 ? c.idle / c.idleMs : 0;
    const perActivation = c.common && c.common.sent > 0 ? round(Math.max(0, c.common.used - idleRate * c.common.wallMs) / c.common.sent, 3) : null;
    out[level] = { maxSustained: r.maxSustained, cpuMsPerActivation: perActivation, steps: r.steps.map(({ offered, p50Ms, p99Ms, pass }) => ({ offered, p50Ms, p99Ms, pass })) };
    log(`logging: ${level}: max sustained ${r.maxSustained}/s, ${perActivation} ms server CPU per activation at ${run.cpuRate}/s`);
  }
  const ratio = (a, b) => (a && b ? round(a / b, 3) : null);
  const result = {
    dialogs: plan.dialogs,
    cpuRate: run.cpuRate,
    levels: out,
    ratios: {
      // Below 1: logging at info costs that share of the rate (the bound: at least 0.95).
      infoOverSilentMaxRate: ratio(out.info.maxSustained, out.silent.maxSustained),
      infoOverSilentCpuPerActivation: ratio(out.info.cpuMsPerActivation, out.silent.cpuMsPerActivation),
    },
  };
  log(`logging: info/silent max rate ${result.ratios.infoOverSilentMaxRate}, CPU per activation ${result.ratios.infoOverSilentCpuPerActivation}`);
  return result;
}
