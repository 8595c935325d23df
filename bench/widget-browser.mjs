// Scenario "widget in the browser": time from the <script> tag to CONVERSATION Ready, and the
// page's JS heap with the messenger open and 200 messages in the transcript, in headless
// Chromium, each beside its floor measured in the same run: a bare page that opens a WebSocket
// to the same server, sends the same login frame (and receives the same 200 pushes).
//
// The host pages come from a real HTTP server on 127.0.0.1 that Chromium reaches as
// http://shop.test (--host-resolver-rules), not from `page.route`: a routed page makes Playwright
// intercept every request of the page, so messenger.js (which the floor does not fetch) waited
// for a round trip through this process before it went out, a cost no real page pays.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { HOST_ORIGIN, startRoundel } from './lib/servers.mjs';
import { log, median, round } from './lib/util.mjs';

// The flags of playwright.config.ts (Chromium stays off the network; loopback only).
const { args: CHROMIUM_ARGS } = JSON.parse(readFileSync(new URL('../scripts/chromium.json', import.meta.url), 'utf8'));

const FILL = 200;

function widgetPage(server) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bench shop</title></head>
<body><h1>Bench shop</h1>
<script>window.__notifications = []; window.__t0 = performance.now();</script>
<script src="${server}/messenger.js"></script>
<script>
  window.__loaded = performance.now();
  window.__api = ServisBot.init({ organization: 'acme', endpoint: 'acme-demo' });
  window.__inited = performance.now();
  window.__api.on('Messenger', (e) => { if (e.value === 'Ready' && !window.__ready) window.__ready = performance.now(); });
  window.__api.on('notification', (m) => window.__notifications.push(m));
  window.__fill = (n) => window.__api.pageEvent({ alias: 'fill', body: { n } });
</script>
</body></html>`;
}

function floorPage(server) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bench shop</title></head>
<body><h1>Bench shop</h1>
<script>
  window.__notifications = []; window.__pushes = []; window.__t0 = performance.now();
  const ws = new WebSocket('${server.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-demo');
  ws.onopen = () => ws.send(JSON.stringify({ request_id: '1', action: 'login', payload: { history: true, context: {} } }));
  ws.onmessage = (e) => {
    const frame = JSON.parse(e.data);
    if (frame.type === 'response' && frame.action === 'login') window.__ready = performance.now();
    else if (frame.type === 'push') {
      window.__pushes.push(frame);
      if (frame.action === 'host_notification') window.__notifications.push(frame.payload.message);
    }
  };
  window.__fill = (n) => ws.send(JSON.stringify({ request_id: '2', action: 'page_event', payload: { alias: 'fill', body: { n }, custom_id: 'c-fill' } }));
</script>
</body></html>`;
}

/**
 * The host site: serves each page of `pages` (path -> HTML) uncached, on 127.0.0.1; Chromium is
 * told that shop.test is there, so the pages' origin is HOST_ORIGIN, the one the server allows.
 */
async function startHostSite(pages) {
  const server = createServer((req, res) => {
    const html = pages[new URL(req.url, HOST_ORIGIN).pathname];
    res.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html ?? 'not found');
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  return {
    resolverRule: `--host-resolver-rules=MAP ${new URL(HOST_ORIGIN).hostname} 127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(done)),
  };
}

async function openPage(browser, path) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${HOST_ORIGIN}${path}`);
  await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30_000 });
  return { context, page };
}

/**
 * One startup: ms from the first <script> to Ready, the scripts fetched before Ready, and for the
 * widget the phases of its boot path (each from the first <script>): messenger.js requested and
 * received (resource timing), run (parsed and evaluated), `init` returned (options, mount,
 * socket opened), then the socket's handshake and the login round trip until Ready.
 */
async function startup(browser, path) {
  const { context, page } = await openPage(browser, path);
  const t = await page.evaluate(() => ({
    ready: window.__ready - window.__t0,
    loaded: window.__loaded && window.__loaded - window.__t0,
    inited: window.__inited && window.__inited - window.__t0,
    fetched: (() => {
      const entry = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === '/messenger.js');
      return entry && { requested: entry.requestStart - window.__t0, received: entry.responseEnd - window.__t0 };
    })(),
    // Resource timing, on the page's own clock: every script whose fetch began before Ready.
    scriptsBeforeReady: performance
      .getEntriesByType('resource')
      .filter((entry) => /\.m?js(\?|$)/.test(entry.name) && entry.startTime <= window.__ready)
      .map((entry) => new URL(entry.name).pathname),
  }));
  await context.close();
  return t;
}

/** Heap after a forced GC with the transcript filled. */
async function memory(browser, path, { open }) {
  const { context, page } = await openPage(browser, path);
  if (open) await page.evaluate(() => window.__api.open());
  await page.evaluate((n) => window.__fill(n), FILL);
  await page.waitForFunction(() => window.__notifications.includes('filled'), null, { timeout: 90_000 });
  // Let the last render land.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  const rendered = open
    ? await page.locator('#servisbot-messenger [role="log"]').evaluate((el) => (el.textContent.match(/Message \d+:/g) ?? []).length)
    : await page.evaluate(() => window.__pushes.filter((p) => p.action === 'incoming_event').length);
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? null;
  await context.close();
  return {
    heapUsed: heap.usedSize,
    jsHeapUsedSize: metric('JSHeapUsedSize'),
    domNodes: metric('Nodes'),
    jsEventListeners: metric('JSEventListeners'),
    messages: rendered,
  };
}

export async function runWidgetBrowser({ quick }) {
  const runs = quick ? 3 : 21;
  const memoryRuns = quick ? 1 : 3;
  const server = await startRoundel({ sync: 'FULL' });
  const widget = '/widget';
  const floor = '/floor';
  const site = await startHostSite({ [widget]: widgetPage(server.url), [floor]: floorPage(server.url) });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, site.resolverRule] });
  try {
    // One of each to warm the server, the browser and the disk cache; not counted.
    await startup(browser, widget);
    await startup(browser, floor);
    const w = [];
    const f = [];
    // Interleaved, and the pair's order alternates (widget first, then floor first), so neither
    // side always runs just after the other's context was closed.
    for (let i = 0; i < runs; i += 1) {
      if (i % 2 === 0) {
        w.push(await startup(browser, widget));
        f.push(await startup(browser, floor));
      } else {
        f.push(await startup(browser, floor));
        w.push(await startup(browser, widget));
      }
    }
    const ready = median(w.map((x) => x.ready));
    const scriptsBeforeReady = [...new Set(w.flatMap((x) => x.scriptsBeforeReady))];
    log(`browser: scripts fetched before Ready: ${scriptsBeforeReady.join(', ')}`);
    const floorReady = median(f.map((x) => x.ready));
    log(`browser: Ready ${ready.toFixed(1)} ms vs floor ${floorReady.toFixed(1)} ms (median of ${runs})`);
    const phase = (key) => median(w.map((x) => (key === 'requested' || key === 'received' ? x.fetched?.[key] : x[key]) ?? NaN)).toFixed(1);
    log(`browser: boot path (medians, ms from <script>): messenger.js requested ${phase('requested')}, received ${phase('received')}, run ${phase('loaded')}, init returned ${phase('inited')}, Ready ${ready.toFixed(1)}`);
    const wm = [];
    const fm = [];
    for (let i = 0; i < memoryRuns; i += 1) {
      wm.push(await memory(browser, widget, { open: true }));
      fm.push(await memory(browser, floor, { open: false }));
    }
    const pick = (list, key) => median(list.map((x) => x[key]));
    const mem = (list) => ({
      heapUsed: pick(list, 'heapUsed'),
      jsHeapUsedSize: pick(list, 'jsHeapUsedSize'),
      domNodes: pick(list, 'domNodes'),
      jsEventListeners: pick(list, 'jsEventListeners'),
      messages: pick(list, 'messages'),
    });
    const widgetMem = mem(wm);
    const floorMem = mem(fm);
    log(`browser: heap ${widgetMem.heapUsed} B (${widgetMem.messages} messages) vs floor ${floorMem.heapUsed} B`);
    return {
      runs,
      startup: {
        readyMs: { median: round(ready), p10: round(quantile10(w)), p90: round(quantile90(w)), all: w.map((x) => round(x.ready)) },
        scriptRunMs: { median: round(median(w.map((x) => x.loaded))) },
        // Medians of each phase of the widget's boot path, in ms from the first <script>.
        bootPathMs: {
          requested: round(median(w.map((x) => x.fetched?.requested ?? NaN))),
          received: round(median(w.map((x) => x.fetched?.received ?? NaN))),
          run: round(median(w.map((x) => x.loaded))),
          initReturned: round(median(w.map((x) => x.inited))),
          ready: round(ready),
        },
        scriptsBeforeReady,
        floorReadyMs: { median: round(floorReady), p10: round(quantile10(f)), p90: round(quantile90(f)), all: f.map((x) => round(x.ready)) },
        ratio: round(ready / floorReady, 2),
      },
      memory: {
        messages: FILL,
        runs: memoryRuns,
        widget: widgetMem,
        floor: floorMem,
        widgetOwnBytes: widgetMem.heapUsed - floorMem.heapUsed,
        ratio: round(widgetMem.heapUsed / floorMem.heapUsed, 2),
      },
    };
  } finally {
    await browser.close();
    await site.close();
    await server.stop();
  }
}

const sortedReady = (list) => list.map((x) => x.ready).sort((a, b) => a - b);
const quantile10 = (list) => sortedReady(list)[Math.floor(list.length * 0.1)];
const quantile90 = (list) => sortedReady(list)[Math.min(list.length - 1, Math.floor(list.length * 0.9))];
