// The widget part of docs/benchmarks.md: bundle size, startup and memory in Chromium.
import { kib, mib, ok, table, times, why } from './format.mjs';

export function widgetSections(r) {
  const out = ['## Widget\n'];
  if (ok(r.widgetSize)) {
    out.push(`### Bundle size

Raw bytes, gzip (level 9) and brotli (quality 11) through \`node:zlib\`, each file compressed on its
own as an HTTP server would. The floor is preact (\`render\`, \`h\`) and mitt alone, built in this
run with the repo's vite exactly as \`dist/messenger.js\` is (library mode, IIFE, es2022). Peers
are the browser bundles published on npm, pinned in \`bench/peers/package.json\`.

${table(
  ['bundle', 'raw KiB', 'gzip KiB', 'brotli KiB', 'brotli / Roundel', 'what is counted'],
  r.widgetSize.rows.map((row) => [row.label, kib(row.raw), kib(row.gzip), kib(row.brotli), times(row.brotliOverRoundel), row.note]),
)}

Quoted, not measured here (no npm package carries them): Chatwoot's widget ~170 KiB.
`);
  } else out.push(`Bundle size: ${why(r.widgetSize)}.\n`);

  if (ok(r.widgetBrowser)) {
    const s = r.widgetBrowser.startup;
    const w = r.widgetBrowser.memory;
    out.push(`### Startup and memory in headless Chromium

A host page on \`http://shop.test\` loads \`messenger.js\` from a Roundel server on 127.0.0.1 and
calls \`ServisBot.init\`; the time runs from an inline script just before the \`<script src>\` to
the \`Messenger\` event \`CONVERSATION Ready\`. The floor page opens a WebSocket to the same server
and sends the same \`login\` frame; its time runs to the login response. Each run is a fresh
browser context (no cache); widget and floor runs are interleaved, and each pair's order
alternates (widget first, then floor first). Both pages come from a real HTTP server on
127.0.0.1 that Chromium reaches as \`shop.test\` (\`--host-resolver-rules\`). Until this round
they were fulfilled by Playwright routing, which makes Playwright intercept every request of
the page: \`messenger.js\`, which the floor does not fetch, waited for a round trip through the
bench process, a cost no real page pays. That was a measurement fix, not a new goal: figures
from before it are not comparable with later ones. As on a real page, the browser's preload
scanner may fetch \`messenger.js\` before the first inline script runs.

| | median | p10 | p90 |
|---|---|---|---|
| Roundel: \`<script>\` → Ready | ${s.readyMs.median} ms | ${s.readyMs.p10} ms | ${s.readyMs.p90} ms |
| of which the bundle loaded and ran | ${s.scriptRunMs.median} ms | | |
| floor: page script → login response | ${s.floorReadyMs.median} ms | ${s.floorReadyMs.p10} ms | ${s.floorReadyMs.p90} ms |
| **ratio** | **${s.ratio}×** | | |
${s.bootPathMs ? `\nThe widget's boot path (medians, ms from the first inline script): \`messenger.js\` received ${s.bootPathMs.received}, run ${s.bootPathMs.run}, \`init\` returned (socket opened, roundel mounted) ${s.bootPathMs.initReturned}, Ready ${s.bootPathMs.ready}.\n` : ''}
Memory with the messenger open and ${w.messages} bot messages in the transcript (the bench bot
sends them on a page event), after \`HeapProfiler.collectGarbage\`, read with CDP
\`Runtime.getHeapUsage\` and \`Performance.getMetrics\` (median of ${w.runs}). The floor page holds
the same ${w.messages} pushes as parsed frames.

| | JS heap used | DOM nodes | JS event listeners | messages seen |
|---|---|---|---|---|
| Roundel widget | ${mib(w.widget.heapUsed)} MiB | ${w.widget.domNodes} | ${w.widget.jsEventListeners} | ${w.widget.messages} |
| floor page | ${mib(w.floor.heapUsed)} MiB | ${w.floor.domNodes} | ${w.floor.jsEventListeners} | ${w.floor.messages} |
| **Roundel − floor** | **${mib(w.widgetOwnBytes)} MiB** (${w.ratio}×) | | | |
`);
  } else out.push(`Startup and memory: ${why(r.widgetBrowser)}.\n`);
  return out.join('\n');
}
