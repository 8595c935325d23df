// Scenario "widget size": dist/messenger.js raw, gzip and brotli, beside the floor (preact +
// mitt alone, built the same way in this run) and the browser bundles peers publish on npm.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { peerPath, peerVersion } from './lib/peers.mjs';
import { BENCH_DIR, ROUNDEL_DIR, log, round } from './lib/util.mjs';

/** Bytes of one file raw, gzip -9 and brotli q11 (what a CDN precompresses static assets with). */
function sizeOf(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

// Peers' files do not change between runs: their compressed sizes are kept beside them.
const CACHE_FILE = peerPath('.roundel-bench', 'sizes.json');
let cache;
function cached(key, compute) {
  cache ??= existsSync(CACHE_FILE) ? JSON.parse(readFileSync(CACHE_FILE, 'utf8')) : {};
  if (!cache[key]) {
    cache[key] = compute();
    mkdirSync(dirname(CACHE_FILE), { recursive: true });
    writeFileSync(CACHE_FILE, JSON.stringify(cache));
  }
  return cache[key];
}

/** Several files fetched separately: each compressed on its own, then summed. */
function sizeOfFiles(files) {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const file of files) {
    const compute = () => sizeOf(readFileSync(file));
    const st = statSync(file);
    const s = file.includes('/node_modules/') ? cached(`${file}:${st.size}:${st.mtimeMs}`, compute) : compute();
    total.raw += s.raw;
    total.gzip += s.gzip;
    total.brotli += s.brotli;
  }
  return { ...total, files: files.map((f) => basename(f)) };
}

/** Builds `entry` with the repo's vite as an IIFE library (as vite.config.ts builds the widget). */
async function viteIife(entry, name) {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'roundel-bench-build-'));
  try {
    await build({
      configFile: false,
      root: join(entry, '..'),
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        sourcemap: false,
        lib: { entry, formats: ['iife'], name, fileName: () => `${name}.js` },
      },
    });
    const files = readdirSync(outDir).filter((f) => !f.endsWith('.map')).map((f) => join(outDir, f));
    return sizeOfFiles(files);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** @botpress/webchat is a React component library: bundle it with React as a site would. */
async function botpressBundle() {
  const dir = peerPath('.roundel-bench');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'botpress-entry.js');
  writeFileSync(
    entry,
    `import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { Webchat } from '@botpress/webchat';
window.BotpressFloor = (element, clientId) => createRoot(element).render(createElement(Webchat, { clientId }));
`,
  );
  return viteIife(entry, 'botpress');
}

/** Rocket.Chat's loader plus the scripts its iframe page loads at start (lazy chunks excluded). */
function rocketChat() {
  const build = peerPath('@rocket.chat/livechat', 'build');
  const html = readFileSync(join(build, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/src="livechat\/([^"]+)"/g)].map((m) => join(build, m[1]));
  return sizeOfFiles([join(build, 'rocketchat-livechat.min.js'), ...scripts]);
}

export async function runWidgetSize() {
  const rows = [];
  const add = (id, label, size, note) => {
    rows.push({ id, label, ...size, note });
    log(`size: ${label} raw ${size.raw} gzip ${size.gzip} brotli ${size.brotli}`);
  };
  // What a page loads before CONVERSATION Ready (messenger.js alone: widget-browser.mjs checks
  // that no other script is fetched before Ready), and everything the widget can load.
  const chunkDir = join(ROUNDEL_DIR, 'dist', 'widget');
  const chunks = existsSync(chunkDir) ? readdirSync(chunkDir).filter((f) => f.endsWith('.js')).map((f) => join(chunkDir, f)) : [];
  add('roundel', 'Roundel messenger.js (before Ready)', sizeOfFiles([join(ROUNDEL_DIR, 'dist', 'messenger.js')]), 'first load: roundel, host API, connection, shell CSS');
  add('roundel-total', 'Roundel in all (messenger.js + lazy chunks)', sizeOfFiles([join(ROUNDEL_DIR, 'dist', 'messenger.js'), ...chunks]), 'plus the panel chunk: Preact, components, rich renderers, Markdown, panel CSS; each file compressed on its own');
  add('floor', 'Floor: preact + mitt', await viteIife(join(BENCH_DIR, 'floor', 'widget-floor.js'), 'floor'), 'built in this run with the repo\'s vite, same options');
  const bf = `botframework-webchat@${peerVersion('botframework-webchat')}`;
  add('botframework-minimal', `${bf} webchat-minimal.js`, sizeOfFiles([peerPath('botframework-webchat', 'dist', 'webchat-minimal.js')]), 'published bundle (no Adaptive Cards, no speech)');
  add('botframework-full', `${bf} webchat.js`, sizeOfFiles([peerPath('botframework-webchat', 'dist', 'webchat.js')]), 'published bundle');
  add('rocketchat', `@rocket.chat/livechat@${peerVersion('@rocket.chat/livechat')}`, rocketChat(), 'loader + the scripts its iframe loads at start; lazy chunks and CSS not counted');
  try {
    const label = `@botpress/webchat@${peerVersion('@botpress/webchat')} + React`;
    const key = `${label} react@${peerVersion('react')} react-dom@${peerVersion('react-dom')}`;
    cache ??= existsSync(CACHE_FILE) ? JSON.parse(readFileSync(CACHE_FILE, 'utf8')) : {};
    const bundle = cache[key] ?? (await botpressBundle());
    cached(key, () => bundle);
    add('botpress', label, bundle, 'component library bundled with react/react-dom as an IIFE here (JS + CSS)');
  } catch (error) {
    log(`size: @botpress/webchat could not be bundled: ${error.message}`);
  }
  const roundel = rows[0];
  const floor = rows[1];
  for (const row of rows) {
    row.brotliOverRoundel = round(row.brotli / roundel.brotli, 2);
  }
  return {
    rows,
    ratios: {
      roundelOverFloorBrotli: round(roundel.brotli / floor.brotli, 2),
      roundelOverFloorGzip: round(roundel.gzip / floor.gzip, 2),
      beforeReadyGzip: roundel.gzip,
      totalGzip: rows.find((r) => r.id === 'roundel-total').gzip,
      botframeworkMinimalOverRoundelBrotli: round(rows.find((r) => r.id === 'botframework-minimal').brotli / roundel.brotli, 1),
    },
  };
}
