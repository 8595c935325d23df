#!/usr/bin/env node
// `node bench/cluster-run.mjs [--quick]`: the cluster part of `npm run bench` (bench/cluster.mjs)
// on its own, for when the other parts' committed figures should stay as they are. A full run
// splices its figures into bench/results.json under `cluster`, with when and on which build they
// were taken (`cluster.run`), and re-renders docs/benchmarks.md and docs/benchmarks.svg from it;
// a quick run only prints them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCluster } from './cluster.mjs';
import { ensurePeers } from './lib/peers.mjs';
import { renderMarkdown, renderSvg } from './lib/report.mjs';
import { ROOT, ROUNDEL_DIR, log, machineBusy } from './lib/util.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick;

process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

if (!existsSync(join(ROUNDEL_DIR, 'dist', 'server', 'cli.js'))) throw new Error('dist/server/cli.js is missing: npm run build first');
ensurePeers();
const git = (args) => execFileSync('git', args, { cwd: ROUNDEL_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const run = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  commit: git(['rev-parse', '--short', 'HEAD']),
  dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
  loadAvg: loadavg().map((x) => x.toFixed(2)).join(' '),
  busyAtStart: await machineBusy(1000),
};
const started = Date.now();
const cluster = await runCluster({ quick });
cluster.seconds = Math.round((Date.now() - started) / 100) / 10;
cluster.machineBusyAfter = await machineBusy(500);
cluster.run = run;
console.log(JSON.stringify(cluster.rows, null, 2));
if (!quick) {
  const file = join(ROOT, 'bench', 'results.json');
  const results = JSON.parse(readFileSync(file, 'utf8'));
  results.cluster = cluster;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), renderMarkdown(results));
  writeFileSync(join(ROOT, 'docs', 'benchmarks.svg'), renderSvg(results));
  log('wrote bench/results.json (cluster), docs/benchmarks.md, docs/benchmarks.svg');
}
process.exit(0);
