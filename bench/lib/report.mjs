// Turns results.json into docs/benchmarks.md, docs/benchmarks.svg and the summary the bench
// prints. Everything here is derived from the results; nothing is typed in by hand.
import { clusterSection } from './report-cluster.mjs';
import { barChart } from './chart.mjs';
import { LABELS, count, kib, mib, num, ok, table, times, why } from './format.mjs';
import { hotPathVerdict, serverSections } from './report-server.mjs';
import { widgetSections } from './report-widget.mjs';

function sizeKind(id) {
  if (id === 'roundel') return 'roundel';
  if (id === 'floor') return 'floor';
  return 'peer';
}

/** The panels of the chart. */
export function chartPanels(r) {
  const panels = [];
  if (ok(r.widgetSize)) {
    panels.push({
      title: 'Widget bundle, brotli (KiB) — smaller is better',
      unit: 'KiB',
      log: true,
      rows: r.widgetSize.rows.map((row) => ({ label: row.label.replace(/@[\d.]+/, ''), value: Number(kib(row.brotli)), kind: sizeKind(row.id) })),
    });
  }
  if (ok(r.widgetBrowser)) {
    const s = r.widgetBrowser.startup;
    const m = r.widgetBrowser.memory;
    panels.push({
      title: `<script> to conversation Ready, median of ${r.widgetBrowser.runs} (ms) — smaller is better`,
      unit: 'ms',
      rows: [
        { label: 'Roundel widget', value: s.readyMs.median, kind: 'roundel' },
        { label: 'floor: bare WebSocket + login', value: s.floorReadyMs.median, kind: 'floor' },
      ],
    });
    panels.push({
      title: `Page JS heap after GC, ${m.messages} messages (MiB) — smaller is better`,
      unit: 'MiB',
      rows: [
        { label: 'Roundel widget, open', value: Number(mib(m.widget.heapUsed)), kind: 'roundel' },
        { label: 'floor: bare page, same pushes', value: Number(mib(m.floor.heapUsed)), kind: 'floor' },
      ],
    });
  }
  if (ok(r.pushgate)) {
    const t = r.pushgate.targets;
    panels.push({
      title: `Pushgate POST → push, max rate with p99 < ${r.pushgate.p99LimitMs} ms, ${count(r.pushgate.dialogs)} chats (/s) — larger is better`,
      unit: '/s',
      rows: ['roundel', 'floor', 'socketio'].map((k) => ({
        label: LABELS[k],
        value: t[k].maxSustained,
        kind: k === 'roundel' ? 'roundel' : k === 'floor' ? 'floor' : 'peer',
        text: t[k].maxSustained > 0 ? `${t[k].maxSustained} /s` : `< ${r.pushgate.targets[k].steps[0]?.offered ?? '?'} /s`,
      })),
    });
  }
  if (ok(r.pushgate)) {
    const t = r.pushgate.targets;
    panels.push({
      title: 'Server CPU per activation (ms) — smaller is better',
      unit: 'ms',
      rows: ['roundel', 'floor', 'socketio'].map((k) => ({
        label: LABELS[k],
        value: t[k].serverCpuMsPerActivation,
        kind: k === 'roundel' ? 'roundel' : k === 'floor' ? 'floor' : 'peer',
        text: `${t[k].serverCpuMsPerActivation} ms`,
      })),
    });
  }
  if (ok(r.durability)) {
    const d = r.durability.modes;
    panels.push({
      title: `Roundel activations/s at saturation (closed loop, ${r.durability.concurrency} clients) — larger is better`,
      unit: '/s',
      rows: [
        { label: 'synchronous=FULL (default)', value: d.FULL.perSecond, kind: 'roundel' },
        { label: 'synchronous=NORMAL', value: d.NORMAL.perSecond, kind: 'variant' },
      ],
    });
  }
  if (ok(r.connections)) {
    const t = r.connections.targets;
    const kind = (k) => (k === 'roundel' ? 'roundel' : k === 'floor' ? 'floor' : 'peer');
    panels.push({
      title: `Server RSS per idle connected chat at ${count(r.connections.dialogs)} (KiB) — smaller is better`,
      unit: 'KiB',
      rows: ['roundel', 'floor', 'socketio'].map((k) => ({ label: LABELS[k], value: Number(kib(t[k].bytesPerDialog)), kind: kind(k) })),
    });
    panels.push({
      title: `One POST fanned out to ${count(r.connections.dialogs)} chats: last push received (ms) — smaller is better`,
      unit: 'ms',
      log: true,
      rows: ['roundel', 'floor', 'socketio'].map((k) => ({ label: LABELS[k], value: t[k].lastPushMs, kind: kind(k) })),
    });
  }
  return panels;
}


export function renderSvg(r) {
  return barChart(`Roundel against the floor and its peers (${r.meta.mode} run, ${r.meta.date.slice(0, 10)})`, chartPanels(r));
}


function summaryRows(r) {
  const rows = [];
  if (ok(r.widgetSize)) {
    const rs = r.widgetSize.rows;
    const roundel = rs.find((x) => x.id === 'roundel');
    const floor = rs.find((x) => x.id === 'floor');
    const bf = rs.find((x) => x.id === 'botframework-minimal');
    const peers = rs.filter((x) => sizeKind(x.id) === 'peer');
    const smallest = peers.reduce((a, b) => (a.brotli < b.brotli ? a : b));
    rows.push([
      'widget bundle, brotli',
      `${kib(roundel.brotli)} KiB`,
      `${kib(floor.brotli)} KiB`,
      `${kib(smallest.brotli)} KiB (${smallest.label.split(' ')[0]}); ${kib(bf.brotli)} KiB (BotFramework minimal)`,
      times(r.widgetSize.ratios.roundelOverFloorBrotli),
      `${(roundel.brotli / smallest.brotli).toFixed(2)}× / ${(roundel.brotli / bf.brotli).toFixed(3)}×`,
    ]);
  }
  if (ok(r.widgetBrowser)) {
    const s = r.widgetBrowser.startup;
    const m = r.widgetBrowser.memory;
    rows.push(['`<script>` → Ready (median)', `${s.readyMs.median} ms`, `${s.floorReadyMs.median} ms`, '–', times(s.ratio), '–']);
    rows.push([`page JS heap, ${m.messages} messages`, `${mib(m.widget.heapUsed)} MiB`, `${mib(m.floor.heapUsed)} MiB`, '–', times(m.ratio), '–']);
  }
  if (ok(r.pushgate)) {
    const t = r.pushgate.targets;
    rows.push([
      `pushgate max rate, p99 < ${r.pushgate.p99LimitMs} ms`,
      `${t.roundel.maxSustained} /s`,
      `${t.floor.maxSustained} /s`,
      `${t.socketio.maxSustained} /s (Socket.IO)`,
      times(r.pushgate.ratios.roundelOverFloorMaxRate),
      times(r.pushgate.ratios.roundelOverSocketIoMaxRate),
    ]);
    rows.push([
      'server CPU per activation',
      `${t.roundel.serverCpuMsPerActivation} ms`,
      `${t.floor.serverCpuMsPerActivation} ms`,
      `${t.socketio.serverCpuMsPerActivation} ms (Socket.IO)`,
      times(r.pushgate.ratios.roundelOverFloorCpuPerActivation),
      times(r.pushgate.ratios.roundelOverSocketIoCpuPerActivation),
    ]);
    if (r.pushgate.commonRate) {
      const a = r.pushgate.atCommonRate;
      rows.push([
        `push latency p50 / p99 at ${r.pushgate.commonRate} /s`,
        `${a.roundel.p50Ms} / ${a.roundel.p99Ms} ms`,
        `${a.floor.p50Ms} / ${a.floor.p99Ms} ms`,
        `${a.socketio.p50Ms} / ${a.socketio.p99Ms} ms`,
        times(r.pushgate.ratios.roundelOverFloorP50AtCommonRate),
        times(r.pushgate.ratios.roundelOverSocketIoP50AtCommonRate),
      ]);
    }
  }
  if (ok(r.connections)) {
    const t = r.connections.targets;
    rows.push([
      `RSS per idle chat at ${count(r.connections.dialogs)}`,
      `${kib(t.roundel.bytesPerDialog)} KiB`,
      `${kib(t.floor.bytesPerDialog)} KiB`,
      `${kib(t.socketio.bytesPerDialog)} KiB (Socket.IO)`,
      times(r.connections.ratios.roundelOverFloorBytesPerDialog),
      times(r.connections.ratios.roundelOverSocketIoBytesPerDialog),
    ]);
    rows.push([
      `fan-out to ${count(r.connections.dialogs)}, last push`,
      `${num(t.roundel.lastPushMs)} ms`,
      `${num(t.floor.lastPushMs)} ms`,
      `${num(t.socketio.lastPushMs)} ms (Socket.IO)`,
      times(r.connections.ratios.roundelOverFloorFanout),
      times(r.connections.ratios.roundelOverSocketIoFanout),
    ]);
  }
  if (ok(r.durability)) {
    const d = r.durability.modes;
    rows.push(['activations/s at saturation, FULL vs NORMAL', `${d.FULL.perSecond} /s`, '–', `${d.NORMAL.perSecond} /s (NORMAL)`, '–', times(round2(d.FULL.perSecond / d.NORMAL.perSecond))]);
  }
  return rows;
}

const round2 = (x) => Math.round(x * 100) / 100;


export function summaryText(r) {
  const lines = [`Roundel benchmarks (${r.meta.mode}, ${r.meta.durationS} s)`];
  for (const row of summaryRows(r)) lines.push(`  ${row[0].replace(/`/g, '')}: Roundel ${row[1]} | floor ${row[2]} | peer ${row[3]} | R/floor ${row[4]} | R/peer ${row[5]}`);
  const verdict = hotPathVerdict(r);
  if (verdict) lines.push(`  hot path: ${verdict.text.replace(/[`*]/g, '')}`);
  for (const [name, section] of Object.entries(sections(r))) if (!ok(section)) lines.push(`  ${name}: ${why(section)}`);
  return lines.join('\n');
}

const sections = (r) => ({
  'widget size': r.widgetSize,
  'widget in the browser': r.widgetBrowser,
  pushgate: r.pushgate,
  durability: r.durability,
  logging: r.logging,
  connections: r.connections,
  cluster: r.cluster,
});


/** Issue 10's before/after table: the engine parts on the build before the engine work and after it, ratios against the floor of the same run. */
function engineBeforeAfter(r) {
  const b = r.meta.engineBefore;
  const p = r.pushgate;
  const c = r.connections;
  const t = p.targets;
  const ct = c.targets;
  return `**The engine (group commit, one typed intake, batched fan-out): before and after**, each measured
against the floor of its own run (before: build \`${b.commit}\`, ${b.date}).

| | before | before / floor | after | after / floor |
|---|---|---|---|---|
| pushgate max rate, p99 < 50 ms | ${b.maxRate} /s | ${b.maxRateRatio}× | ${t.roundel.maxSustained} /s | ${p.ratios.roundelOverFloorMaxRate}× |
| server CPU per activation (common rate) | ${b.cpuMs} ms at ${b.cpuRate} /s | ${b.cpuRatio}× | ${t.roundel.serverCpuMsPerActivation} ms at ${p.cpuRate} /s | ${p.ratios.roundelOverFloorCpuPerActivation}× |
| fan-out to 10,000, last push | ${b.fanoutMs} ms | ${b.fanoutRatio}× | ${ct.roundel.lastPushMs} ms | ${c.ratios.roundelOverFloorFanout}× |
| fan-out to 10,000, last bot reply | ${b.replyMs} ms | | ${ct.roundel.lastReplyMs} ms | |
| \`/healthz\` p99 during the fan-out | ${b.healthzP99Ms} ms | | ${ct.roundel.healthz?.p99Ms ?? '–'} ms | |
${b.notes ? `\n${b.notes.trim()}\n` : ''}`;
}

export function renderMarkdown(r) {
  const m = r.meta;
  const out = [];
  out.push(`# Benchmarks

Where Roundel stands against the physical limit (a **floor** that does the same job with nothing
else) and against the **peers** users would pick instead, every figure measured side by side in
the same run on the same machine, so that the ratios hold on a noisy box even where the absolute
numbers drift.

*Generated by \`npm run bench${m.mode === 'quick' ? ' -- --quick' : ''}${m.engineOnly ? ' -- --engine' : ''}\` (bench/run.mjs) on ${m.date}; do not edit by hand, rerun.*
Mode **${m.mode}**, ${m.durationS} s. Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB; CPU ${Math.round(m.busyAtStart * 100)}% busy with other work at the start (load average ${m.loadAvg}); Node ${m.node}; ${m.chromium}.
Build under test: \`${m.commit}\`${m.dirty ? ' plus uncommitted changes in the work tree' : ''}.
${m.engineRun ? `The pushgate and connections parts come from a later \`npm run bench -- --engine\` run (${m.engineRun.date}, build \`${m.engineRun.commit}\`, load average ${m.engineRun.loadAvg}); the widget and durability parts from the full run above.\n` : ''}${m.engineBefore ? `\n${engineBeforeAfter(r)}\n` : ''}
![Roundel against its floor and peers](benchmarks.svg)

## Summary

${table(['', 'Roundel', 'floor', 'peer', 'Roundel / floor', 'Roundel / peer'], summaryRows(r))}

How long each part took and how busy the machine was with other work right after it (the figures
of a part run on a busy machine drift; its ratios much less):
${Object.entries(sections(r))
  .map(([name, sec]) => `${name} ${ok(sec) ? `${sec.seconds} s, ${Math.round((sec.machineBusyAfter ?? 0) * 100)}% busy` : `(${why(sec)})`}`)
  .join(' · ')}.
`);

  out.push(widgetSections(r));
  out.push(serverSections(r));
  out.push(clusterSection(r));
  out.push(`## Running it

\`\`\`sh
npm run bench             # full: 1,000 chats, 10,000 connections, ~10 minutes
npm run bench -- --quick  # 100 chats, 1,000 connections, under 2 minutes
npm run bench -- --only=size,browser   # any of size, browser, pushgate, logging, durability, connections
npm run bench -- --engine # pushgate + connections only (the server engine's before/after), ~4 minutes
\`\`\`

It builds \`dist/\` when it is missing, installs \`bench/peers\` (pinned peers, \`--ignore-scripts\`,
gitignored) when missing, and finds Chromium at \`CHROMIUM_PATH\` or \`/usr/bin/chromium\`. All traffic
stays on 127.0.0.1; every server and client process is started and stopped by the bench, within a
global time budget (\`--budget=SECONDS\`). A full run writes \`bench/results.json\` (every figure), this
file and \`docs/benchmarks.svg\`; a quick or \`--only\` run writes them under the temp dir unless
\`--write\` is given, so the committed figures stay those of a full run. CPU profiles go to
\`bench/profiles/\` (gitignored). A full run first waits up to a minute for other work on the
machine to calm down. Nothing in
\`npm test\` asserts timings. \`BENCH_ROUNDEL_DIR=/other/checkout\` measures another build of Roundel
with the same harness.

Layout: \`bench/run.mjs\` (orchestrator and budget), one file per scenario (\`widget-size.mjs\`,
\`widget-browser.mjs\`, \`pushgate.mjs\`, \`durability.mjs\`, \`connections.mjs\`), load processes in
\`bench/clients/\`, the floor and Socket.IO servers in \`bench/baselines/\`, the bench bot in
\`bench/bots/\`, and in \`bench/lib/\` the profile reader (with a source-map decoder), the chart and this
report.

## Not measured yet

- Peers' startup time and memory in the browser: their bundles need their own backends (Direct Line,
  a Rocket.Chat server, Botpress cloud), which cannot run here; only their size is compared.
- Chatwoot (no npm package of the widget) and Centrifugo (a Go binary, not on npm) are quoted, not
  measured.
- A Socket.IO baseline for the browser page; Roundel over TLS; more than one server process.
- SQLite writes on a worker thread: the group commit's COMMIT (its fsync) still blocks the main
  thread once per batch; moving it off the main thread is not done.
`);
  return out.join('\n');
}
