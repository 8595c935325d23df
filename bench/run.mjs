#!/usr/bin/env node
// `npm run bench [-- --quick] [--only=size,browser,pushgate,logging,durability,connections,cluster] [--engine] [--budget=SECONDS] [--write]`
// `--engine` is the server engine's before/after check: the pushgate and connections (fan-out)
// parts only, at full size, the ladder starting at 100 /s, without waiting for a calm machine.
// Measures Roundel against the floor and its peers, side by side in one run, on 127.0.0.1 only;
// prints a summary and writes bench/results.json, docs/benchmarks.md and docs/benchmarks.svg
// (a quick or partial run writes them under the temp dir unless --write is given).
// Every scenario is bounded in count and time; the whole run stops by itself within its budget.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCluster } from './cluster.mjs';
import { runConnections } from './connections.mjs';
import { runDurability } from './durability.mjs';
import { ensurePeers } from './lib/peers.mjs';
import { renderMarkdown, renderSvg, summaryText } from './lib/report.mjs';
import { BENCH_DIR, ROOT, ROUNDEL_DIR, budget, log, machineBusy } from './lib/util.mjs';
import { runLogging } from './logging.mjs';
import { runPushgate } from './pushgate.mjs';
import { runWidgetBrowser } from './widget-browser.mjs';
import { runWidgetSize } from './widget-size.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    budget: { type: 'string' },
    write: { type: 'boolean', default: false },
    engine: { type: 'boolean', default: false },
  },
});
const engine = values.engine;
if (engine && values.only) throw new TypeError('--engine and --only cannot be combined');
const quick = values.quick;
const mode = quick ? 'quick' : 'full';

// Seconds each scenario needs at most in each mode; one is skipped when the budget cannot cover it.
const SCENARIOS = [
  { key: 'widgetSize', name: 'size', run: runWidgetSize, need: { quick: 20, full: 40 } },
  { key: 'widgetBrowser', name: 'browser', run: runWidgetBrowser, need: { quick: 20, full: 90 } },
  { key: 'pushgate', name: 'pushgate', run: runPushgate, need: { quick: 40, full: 300 } },
  { key: 'logging', name: 'logging', run: runLogging, need: { quick: 40, full: 240 } },
  { key: 'durability', name: 'durability', run: runDurability, need: { quick: 12, full: 45 } },
  { key: 'connections', name: 'connections', run: runConnections, need: { quick: 22, full: 360 } },
  { key: 'cluster', name: 'cluster', run: runCluster, need: { quick: 160, full: 480 } },
];
const only = engine ? ['pushgate', 'connections'] : values.only?.split(',').map((s) => s.trim());
const totalS = Number(values.budget ?? (quick ? 108 : 900));

process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

function ensureBuild() {
  const missing = ['dist/messenger.js', 'dist/server/cli.js'].filter((f) => !existsSync(join(ROUNDEL_DIR, f)));
  if (missing.length === 0) return;
  log(`building (${missing.join(', ')} missing): npm run build`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROUNDEL_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error('npm run build failed');
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROUNDEL_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function chromiumVersion() {
  try {
    const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'Chromium not found';
  }
}

/**
 * The machine is shared (other builds and test suites run beside the bench): a full run waits up
 * to `waitS` for the CPU to be mostly idle before it starts. Returns the busy share it saw.
 */
async function waitForQuiet(waitS) {
  const end = Date.now() + waitS * 1000;
  let busy = await machineBusy(1000);
  while (busy > 0.3 && Date.now() < end) {
    log(`machine ${Math.round(busy * 100)}% busy with other work; waiting for it to calm down`);
    await new Promise((done) => setTimeout(done, 4000));
    busy = await machineBusy(1000);
  }
  return busy;
}

ensureBuild();
// A first install of the peers (minutes on a cold npm cache) is not counted in the budget.
const peersInstallS = ensurePeers();
const busyAtStart = await waitForQuiet(quick || engine ? 0 : 60);
const started = Date.now();
const clock = budget(totalS * 1000);
// The last resort: past the budget and a grace period, stop (children are killed on exit).
setTimeout(() => {
  log(`budget of ${totalS} s exceeded by 60 s; stopping`);
  process.exit(2);
}, (totalS + 60) * 1000).unref();
const results = {
  meta: {
    date: new Date().toISOString(),
    mode,
    engineOnly: engine,
    durationS: 0,
    budgetS: totalS,
    node: process.version,
    chromium: chromiumVersion(),
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    freeMemGiB: Math.round(freemem() / 2 ** 30),
    loadAvg: loadavg().map((x) => x.toFixed(2)).join(' '),
    busyAtStart,
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    roundelDir: ROUNDEL_DIR === ROOT ? '.' : ROUNDEL_DIR,
    peersInstallS,
  },
};

for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.name)) {
    results[scenario.key] = { skipped: 'not selected (--only)' };
    continue;
  }
  const need = scenario.need[mode] * 1000;
  if (clock.left() < need) {
    results[scenario.key] = { skipped: `time budget (${Math.round(clock.left() / 1000)} s left, needs up to ${need / 1000} s)` };
    log(`${scenario.name}: skipped, budget`);
    continue;
  }
  const t0 = Date.now();
  log(`${scenario.name}: start`);
  try {
    results[scenario.key] = await scenario.run({ quick, startRate: engine ? 100 : 25 });
  } catch (error) {
    log(`${scenario.name}: failed: ${error.stack ?? error}`);
    results[scenario.key] = { error: String(error.message ?? error).split('\n')[0] };
  }
  results[scenario.key].seconds = Math.round((Date.now() - t0) / 100) / 10;
  // How busy the rest of the machine was right after (the bench's own processes are gone by then).
  results[scenario.key].machineBusyAfter = await machineBusy(500);
  log(`${scenario.name}: done in ${results[scenario.key].seconds} s`);
}

results.meta.durationS = Math.round((Date.now() - started) / 1000);
console.log(summaryText(results));
// The committed figures come from full runs: a quick or partial run writes them only when asked.
if (!quick && !only) values.write = true;
const outDir = values.write ? ROOT : mkdtempSync(join(tmpdir(), 'roundel-bench-results-'));
mkdirSync(join(outDir, 'bench'), { recursive: true });
mkdirSync(join(outDir, 'docs'), { recursive: true });
writeFileSync(join(outDir, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, 'docs', 'benchmarks.md'), renderMarkdown(results));
writeFileSync(join(outDir, 'docs', 'benchmarks.svg'), renderSvg(results));
console.log(`wrote ${values.write ? '' : `${outDir}/`}bench/results.json, docs/benchmarks.md, docs/benchmarks.svg${values.write ? '' : ' (--write to update the committed ones)'}`);
process.exit(0);
