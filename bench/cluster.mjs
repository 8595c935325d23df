// Scenario "cluster": pushgate activations (HTTP POST -> the push on a websocket) on several nodes,
// in one run: Roundel on 1 node with PostgreSQL, Roundel on 3 nodes with PostgreSQL + Redis behind
// a round-robin TCP balancer, and the peer, Socket.IO on 3 nodes joined by
// @socket.io/redis-streams-adapter behind the same kind of balancer. All on one real PostgreSQL and
// Redis started for the run (scripts/services.mjs). The ladder of bench/clients/pushgate-load.mjs
// finds each one's highest rate with p99 < 50 ms, then runs all at one common rate.
import { join } from 'node:path';
import { startBalancer } from '../scripts/balancer.mjs';
import { ensureServices, startPostgres, startRedis } from '../scripts/services.mjs';
import { API_KEY, HOST_ORIGIN } from './lib/servers.mjs';
import { BENCH_DIR, ROUNDEL_DIR, cpuMsOf, log, round, runClient, spawnNode } from './lib/util.mjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const NODES = 3;

function roundelConfig(dir) {
  const file = join(dir, 'roundel.config.json');
  const endpoint = { organization: 'acme', endpoint: 'acme-demo', bot: join(BENCH_DIR, 'bots', 'bench-bot.mjs'), allowedOrigins: [HOST_ORIGIN], apiKey: API_KEY, title: 'Bench' };
  writeFileSync(file, JSON.stringify({ endpoints: [endpoint] }));
  return file;
}

/** `count` Roundel nodes on `database` (and `redis` when given); one after the other (the first migrates). */
async function startRoundelNodes(name, count, { database, redis, dir }) {
  const config = roundelConfig(dir);
  const nodes = [];
  for (let k = 1; k <= count; k += 1) {
    const args = [join(ROUNDEL_DIR, 'bin', 'roundel.mjs'), 'serve', '--port', '0', '--config', config, '--database', database, '--node-id', `${name}-${k}`];
    if (redis) args.push('--redis', redis);
    nodes.push(
      await spawnNode(args, {
        env: { ROUNDEL_LOG_LEVEL: 'warn', ROUNDEL_HTTP_RATE_LIMIT: 'off', ROUNDEL_MAX_CONNECTIONS_PER_IP: '20000' },
        name: `${name}-${k}`,
      }),
    );
  }
  return nodes;
}

async function startSocketIoNodes(count, redis) {
  const nodes = [];
  for (let k = 1; k <= count; k += 1) {
    nodes.push(await spawnNode([join(BENCH_DIR, 'baselines', 'socketio-server.mjs')], { env: { REDIS_URL: redis }, name: `socket.io-${k}` }));
  }
  return nodes;
}

/** The better try of the ladder's first rate: `{ rate, p50Ms, p99Ms }`, or null. */
function lowestStep(steps) {
  const first = steps.filter((x) => x.offered === steps[0]?.offered);
  if (first.length === 0) return null;
  const best = first.reduce((a, b) => ((b.p99Ms ?? Infinity) < (a.p99Ms ?? Infinity) ? b : a));
  return { rate: best.offered, p50Ms: best.p50Ms, p99Ms: best.p99Ms };
}

const backend = (node) => ({ host: '127.0.0.1', port: Number(new URL(node.match[0]).port) });

export async function runCluster({ quick }) {
  ensureServices();
  const dir = mkdtempSync(join(tmpdir(), 'roundel-bench-cluster-'));
  const started = { processes: [], balancers: [], services: [] };
  try {
    const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    started.services.push(postgres, redis);
    // fsync off in this throwaway PostgreSQL (as for the tests): the figures are the nodes' and the
    // round trips', not the disk's. docs/benchmarks.md says so.
    const one = await startRoundelNodes('pg', 1, { database: postgres.createDatabase('bench_one'), dir });
    const three = await startRoundelNodes('cluster', NODES, { database: postgres.createDatabase('bench_cluster'), redis: redis.url, dir });
    const sio = await startSocketIoNodes(NODES, redis.url);
    started.processes.push(...one, ...three, ...sio);
    const roundelLb = await startBalancer(three.map(backend));
    const sioLb = await startBalancer(sio.map(backend));
    started.balancers.push(roundelLb, sioLb);
    const targets = [
      { name: 'roundel-1-pg', kind: 'roundel', url: one[0].match[0], pids: one.map((n) => n.pid) },
      { name: `roundel-${NODES}-pg-redis`, kind: 'roundel', url: roundelLb.url, pids: three.map((n) => n.pid) },
      { name: `socketio-${NODES}-redis-streams`, kind: 'socketio', url: sioLb.url, pids: sio.map((n) => n.pid) },
    ];
    const cpuAt = Object.fromEntries(targets.map((t) => [t.name, 0]));
    const cpuOf = (t) => t.pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
    const common = {};
    const result = await runClient(
      'pushgate-load.mjs',
      {
        mode: 'ladder',
        dialogs: quick ? 60 : 300,
        apiKey: API_KEY,
        p99LimitMs: 50,
        startRate: 5,
        maxRate: quick ? 3200 : 12_800,
        stepMs: quick ? 1000 : 3000,
        minSamples: quick ? 40 : 300,
        warmupMs: quick ? 500 : 2000,
        drainMs: quick ? 1000 : 2000,
        refine: quick ? 1 : 2,
        idleMs: 500,
        cpuMaxRate: 800,
        // p99 at one rate for all three, whatever their maximum: low enough for 2 shared cores.
        commonRate: quick ? 20 : 50,
        cpuStepMs: quick ? 2000 : 5000,
        cpuSamples: quick ? 400 : 2000,
        targets: targets.map(({ name, kind, url }) => ({ name, kind, url })),
      },
      {
        timeoutMs: quick ? 240_000 : 900_000,
        // CPU of all of a target's processes over its common-rate step.
        onMessage: ({ type, phase, target, sent }) => {
          if (type !== 'mark') return;
          const t = targets.find((x) => x.name === target);
          if (!t) return;
          if (phase === 'cpu-start') cpuAt[t.name] = cpuOf(t);
          if (phase === 'cpu-end') common[t.name] = { cpuMs: cpuOf(t) - cpuAt[t.name], sent };
        },
      },
    );
    const rows = targets.map((t) => {
      const r = result.targets[t.name];
      const step = r.cpuStep;
      return {
        target: t.name,
        maxRate: r.maxSustained,
        firstFailed: r.firstFailed,
        commonRate: result.cpuRate,
        p99AtCommon: step ? step.p99Ms : null,
        p50AtCommon: step ? step.p50Ms : null,
        cpuMsPerActivation: common[t.name] && common[t.name].sent > 0 ? round(common[t.name].cpuMs / common[t.name].sent, 3) : null,
        // Whether the common-rate step kept up at all (a p99 is missing when nothing was delivered in time).
        deliveredAtCommon: step ? step.delivered : null,
        lostAtCommon: step ? step.lost : null,
        abortedAtCommon: step ? step.aborted === true : null,
        // The lowest step of the ladder (its better try): the latency of a light load on this machine.
        lowest: lowestStep(r.steps),
      };
    });
    log(`cluster: ${rows.map((r) => `${r.target} max ${r.maxRate}/s p99@${r.commonRate} ${r.p99AtCommon} ms`).join('; ')}`);
    return { nodes: NODES, dialogs: quick ? 60 : 300, misrouted: result.misrouted, rows, steps: Object.fromEntries(targets.map((t) => [t.name, result.targets[t.name].steps])) };
  } finally {
    await Promise.all(started.balancers.map((b) => b.close()));
    await Promise.all(started.processes.map((p) => p.stop()));
    await Promise.all(started.services.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}
