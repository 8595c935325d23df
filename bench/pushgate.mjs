// Scenario "pushgate": end-to-end activations, HTTP POST -> the push on a connected websocket,
// over K dialogs at doubling offered rates, on Roundel, the floor (bare ws forwarder) and the
// peer (Socket.IO), all three up at once and stepped in turns by one load process. Each server
// runs under --cpu-prof; the Roundel profile is summarised for the window of the ladder.
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { summariseProfile } from './lib/cpuprofile.mjs';
import { API_KEY, starters } from './lib/servers.mjs';
import { PROFILES_DIR, cpuMsOf, log, machineBusyMs, round, runClient } from './lib/util.mjs';

export const TARGETS = ['roundel', 'floor', 'socketio'];

/** Where Roundel's time goes, in the words of the report. */
export function classifyRoundel({ name, source }) {
  // The group commit's runner (store/sqlite-batch.ts) is BEGIN, a savepoint per job and COMMIT.
  if (name === 'sqliteTransaction' || source.endsWith('store/sqlite-batch.ts')) return 'SQLite BEGIN/COMMIT (fsync under synchronous=FULL)';
  if (source.startsWith('node_modules/better-sqlite3') || source.endsWith('store/sqlite.ts')) return 'SQLite statements (store queries, row mapping)';
  if (name === 'writev' || name === 'writevGeneric' || name === 'writeUtf8String' || name === 'writeBuffer') return 'socket writes (syscalls)';
  if (source.startsWith('node:_http') || source.includes('streams') || name === 'parserOnIncoming') return 'HTTP (node:http, streams)';
  if (source.startsWith('node_modules/ws')) return 'websocket framing (ws)';
  if (name === '(garbage collector)') return 'garbage collection';
  if (source.startsWith('src/server/')) return 'Roundel JS (runtime, hub, sessions, metrics)';
  return 'other (V8, Node internals)';
}

export async function runPushgate({ quick, startRate = 25 }) {
  const dialogs = quick ? 100 : 1000;
  const plan = {
    mode: 'ladder',
    dialogs,
    apiKey: API_KEY,
    p99LimitMs: 50,
    startRate,
    maxRate: quick ? 12_800 : 25_600,
    stepMs: quick ? 1000 : 3000,
    minSamples: quick ? 40 : 300,
    warmupMs: quick ? 500 : 2000,
    drainMs: quick ? 1000 : 2000,
    refine: quick ? 1 : 2,
    idleMs: quick ? 1000 : 4000,
    // The common-rate phase that CPU per activation is read from (see pushgate-load.mjs).
    cpuMaxRate: 1600,
    cpuStepMs: quick ? 2000 : 5000,
    cpuSamples: quick ? 600 : 3000,
  };
  const servers = {};
  const files = {};
  // Server CPU time: the idle rate of each (heartbeats, the profiler's own sampling), then the
  // CPU used during each of its steps, less that idle rate.
  const cpu = Object.fromEntries(
    TARGETS.map((k) => [k, { idleAt: 0, idle: 0, idleMs: 0, at: 0, t: 0, used: 0, wallMs: 0, sent: 0, others: [], common: null }]),
  );
  // And how much of the machine other work took during each step (all CPU less the bench's own).
  const benchCpu = (clientPid) => TARGETS.reduce((sum, k) => sum + cpuMsOf(servers[k].pid), cpuMsOf(clientPid));
  const cores = availableParallelism();
  let machineAt = 0;
  let benchAt = 0;
  const cpuMark = ({ phase, target, sent }, clientPid) => {
    const now = performance.now();
    if (phase === 'step-start') [machineAt, benchAt] = [machineBusyMs(), benchCpu(clientPid)];
    if (phase === 'step-end') {
      const others = machineBusyMs() - machineAt - (benchCpu(clientPid) - benchAt);
      cpu[target].others.push(round(Math.max(0, others) / ((now - cpu[target].t) * cores), 2));
    }
    if (phase === 'idle-start' || phase === 'idle-end') {
      for (const kind of TARGETS) {
        const c = cpu[kind];
        const ms = cpuMsOf(servers[kind].pid);
        if (phase === 'idle-start') [c.idleAt, c.t] = [ms, now];
        else [c.idle, c.idleMs] = [ms - c.idleAt, now - c.t];
      }
      return;
    }
    const c = cpu[target];
    const ms = cpuMsOf(servers[target].pid);
    if (phase === 'step-start' || phase === 'cpu-start') [c.at, c.t] = [ms, now];
    // The common-rate phase: the last try counts (a second one runs only when the first failed).
    else if (phase === 'cpu-end') c.common = { used: ms - c.at, wallMs: now - c.t, sent };
    else {
      c.used += ms - c.at;
      c.wallMs += now - c.t;
      c.sent += sent;
    }
  };
  let run;
  try {
    for (const kind of TARGETS) {
      files[kind] = join(PROFILES_DIR, `pushgate-${kind}.cpuprofile`);
      if (existsSync(files[kind])) rmSync(files[kind]);
      servers[kind] = await starters[kind]({ profile: `pushgate-${kind}` });
    }
    log(`pushgate: ${dialogs} dialogs on each of ${TARGETS.join(', ')}`);
    run = await runClient(
      'pushgate-load.mjs',
      { ...plan, targets: TARGETS.map((kind) => ({ name: kind, kind, url: servers[kind].url })) },
      {
        timeoutMs: 420_000,
        onMessage: (message, child) => {
          if (message.type === 'mark') cpuMark(message, child.pid);
        },
      },
    );
  } finally {
    // SIGTERM: each server exits cleanly and writes its profile.
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
  const results = run.targets;
  for (const kind of TARGETS) {
    const r = results[kind];
    const c = cpu[kind];
    r.steps.forEach((step, i) => (step.otherWork = c.others[i] ?? null));
    const idleRate = c.idleMs > 0 ? c.idle / c.idleMs : 0;
    const perActivation = ({ used, wallMs, sent }) => (sent > 0 ? round(Math.max(0, used - idleRate * wallMs) / sent, 3) : null);
    r.serverCpu = {
      idleMsPerS: round(idleRate * 1000, 1),
      ladder: { usedMs: c.used, wallMs: round(c.wallMs), activations: c.sent },
      commonRate: c.common && { offered: run.cpuRate, usedMs: c.common.used, wallMs: round(c.common.wallMs), activations: c.common.sent },
    };
    // At the common rate (all three servers the same offered rate); the ladder-wide figure, which
    // mixes each server's own rates, is kept beside it for the history of earlier runs.
    r.serverCpuMsPerActivation = c.common ? perActivation(c.common) : null;
    r.serverCpuMsPerActivationLadder = perActivation({ used: c.used, wallMs: c.wallMs, sent: c.sent });
    log(`pushgate: ${kind} max sustained ${r.maxSustained}/s, ${r.serverCpuMsPerActivation} ms server CPU per activation at ${run.cpuRate}/s (ladder-wide ${r.serverCpuMsPerActivationLadder} ms; setup ${Math.round(r.setupMs)} ms)`);
    for (const s of r.steps) log(`  ${s.offered}/s p50 ${s.p50Ms} p99 ${s.p99Ms} ms lost ${s.lost} err ${s.errors} other work ${Math.round((s.otherWork ?? 0) * 100)}% ${s.pass ? 'ok' : 'FAIL'}`);
    if (existsSync(files[kind])) {
      r.profile = { file: `bench/profiles/pushgate-${kind}.cpuprofile`, ...summariseProfile(files[kind], { ...run.window, top: kind === 'roundel' ? 15 : 5, classify: kind === 'roundel' ? classifyRoundel : undefined }) };
    }
  }
  // Latency side by side at the highest offered rate that all three ran and sustained.
  const passed = (kind) => new Set(results[kind].steps.filter((s) => s.pass).map((s) => s.offered));
  const common = Math.max(0, ...[...passed('roundel')].filter((rate) => TARGETS.every((k) => passed(k).has(rate))));
  const at = (kind) => results[kind].steps.find((s) => s.offered === common && s.pass) ?? null;
  const r = results.roundel;
  const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
  return {
    dialogs,
    p99LimitMs: plan.p99LimitMs,
    stepMs: plan.stepMs,
    minSamples: plan.minSamples,
    misrouted: run.misrouted,
    targets: results,
    commonRate: common > 0 ? common : null,
    cpuRate: run.cpuRate,
    atCommonRate: Object.fromEntries(TARGETS.map((k) => [k, at(k) && { p50Ms: at(k).p50Ms, p99Ms: at(k).p99Ms }])),
    ratios: {
      roundelOverFloorCpuPerActivation: ratio(r.serverCpuMsPerActivation, results.floor.serverCpuMsPerActivation),
      roundelOverSocketIoCpuPerActivation: ratio(r.serverCpuMsPerActivation, results.socketio.serverCpuMsPerActivation),
      roundelOverFloorMaxRate: ratio(r.maxSustained, results.floor.maxSustained),
      roundelOverSocketIoMaxRate: ratio(r.maxSustained, results.socketio.maxSustained),
      roundelOverFloorP50AtCommonRate: ratio(at('roundel')?.p50Ms, at('floor')?.p50Ms),
      roundelOverSocketIoP50AtCommonRate: ratio(at('roundel')?.p50Ms, at('socketio')?.p50Ms),
    },
  };
}
