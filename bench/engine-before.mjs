#!/usr/bin/env node
// `node bench/engine-before.mjs <before-results.json> [--commit=<sha>] [--notes=<file.md>]`
// Issue 10's before/after table: takes the pushgate and connections figures of an earlier run
// (`npm run bench -- --engine` on the build before the engine work, BENCH_ROUNDEL_DIR pointing at
// it), records them as meta.engineBefore in the committed bench/results.json (whose own figures
// are the "after"), and renders docs/benchmarks.md and docs/benchmarks.svg again. Both runs carry
// their own floor, so each row compares ratios measured side by side.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderMarkdown, renderSvg } from './lib/report.mjs';
import { ROOT } from './lib/util.mjs';

const { values, positionals } = parseArgs({ options: { commit: { type: 'string' }, notes: { type: 'string' } }, allowPositionals: true });
const [beforeFile] = positionals;
if (!beforeFile && !values.notes) throw new TypeError('usage: node bench/engine-before.mjs <before-results.json> [--commit=<sha>] [--notes=<file.md>]');
const file = join(ROOT, 'bench', 'results.json');
const results = JSON.parse(readFileSync(file, 'utf8'));

// Without a before run: only the notes change, under the table already recorded.
if (!beforeFile) {
  if (!results.meta.engineBefore) throw new TypeError('bench/results.json has no engine before/after table to add notes to');
  results.meta.engineBefore.notes = readFileSync(values.notes, 'utf8');
  writeAll();
  process.exit(0);
}

const before = JSON.parse(readFileSync(beforeFile, 'utf8'));
const p = before.pushgate;
const c = before.connections;
if (!p?.targets?.roundel || !c?.targets?.roundel) throw new TypeError(`${beforeFile} has no pushgate and connections figures for roundel`);
const roundel = p.targets.roundel;
const fan = c.targets.roundel;

results.meta.engineBefore = {
  commit: values.commit ?? before.meta.commit,
  date: before.meta.date,
  loadAvg: before.meta.loadAvg,
  maxRate: roundel.maxSustained,
  maxRateRatio: p.ratios.roundelOverFloorMaxRate,
  cpuMs: roundel.serverCpuMsPerActivation,
  cpuRate: p.cpuRate,
  cpuRatio: p.ratios.roundelOverFloorCpuPerActivation,
  fanoutMs: fan.lastPushMs,
  fanoutRatio: c.ratios.roundelOverFloorFanout,
  replyMs: fan.lastReplyMs,
  healthzP99Ms: fan.healthz?.p99Ms ?? null,
  // Markdown shown under the table (what each step bought, measured by hand between the runs).
  ...(values.notes ? { notes: readFileSync(values.notes, 'utf8') } : {}),
};
writeAll();

function writeAll() {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), renderMarkdown(results));
  writeFileSync(join(ROOT, 'docs', 'benchmarks.svg'), renderSvg(results));
  console.log('wrote meta.engineBefore into bench/results.json, docs/benchmarks.md, docs/benchmarks.svg');
}
