// A small reader of V8 .cpuprofile files (what `node --cpu-prof` writes): self time per
// function and per source, optionally restricted to a window of the monotonic clock, which the
// profile's timestamps share with process.hrtime in every process of the machine.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSourceMap } from './sourcemap.mjs';
import { ROOT, ROUNDEL_DIR } from './util.mjs';

const maps = new Map();
const sourceLines = new Map();

/** `accept: ` for a line like `accept: db.transaction((input) => {` (names arrow functions in objects). */
function enclosingKey(source, line) {
  const file = resolve(ROUNDEL_DIR, source);
  if (!sourceLines.has(file)) sourceLines.set(file, existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []);
  const lines = sourceLines.get(file);
  const key = (text) => /^\s*(?:(?:const|let)\s+)?([\w$]+)\s*[:=]/.exec(text ?? '')?.[1];
  // The key is on the function's line, or on the line before when that one ends with `=>`.
  const found = key(lines[line - 1]) ?? (lines[line - 2]?.trimEnd().endsWith('=>') ? key(lines[line - 2]) : undefined);
  return found ? `${found}: ` : undefined;
}
/** The original position of a frame in a built file of this repo (through its source map). */
function original(url, line0, column0) {
  if (!url.startsWith('file://') || url.includes('/node_modules/')) return null;
  const file = fileURLToPath(url);
  if (!maps.has(file)) maps.set(file, loadSourceMap(file, ROUNDEL_DIR));
  return maps.get(file)?.(line0, column0) ?? null;
}

/** Where a function lives, in words a reader of the report knows. */
function sourceOf(url) {
  if (url === '') return 'native / V8';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const base = path.startsWith(ROUNDEL_DIR) ? ROUNDEL_DIR : ROOT;
  return relative(base, path) || path;
}

/**
 * Reads `file` and returns `{ busyMs, idleMs, functions: [{name, source, line, selfMs, share}], sources, categories }`
 * for the samples whose time lies in [startUs, endUs] (all when no window); `share` is a percentage
 * of busy (non-idle) time. `classify({name, source})` names the category of a function.
 */
export function summariseProfile(file, { startUs = -Infinity, endUs = Infinity, top = 15, classify } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map(); // node id -> µs
  let t = profile.startTime;
  let windowed = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < startUs || t > endUs) continue;
    // A sample stands for the interval up to the next one.
    const span = profile.timeDeltas[i + 1] ?? delta;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + span);
    windowed += 1;
  }
  const byFunction = new Map();
  const bySource = new Map();
  const byCategory = new Map();
  let idle = 0;
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber, columnNumber } = nodes.get(id).callFrame;
    let name = functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const mapped = original(url, lineNumber, columnNumber);
    const source = mapped?.source ?? sourceOf(url);
    const line = mapped?.line ?? lineNumber + 1;
    if (name === '(anonymous)' && mapped) name = `${enclosingKey(mapped.source, mapped.line) ?? ''}(anonymous)`;
    const key = `${name}\u0000${source}\u0000${line}`;
    const entry = byFunction.get(key) ?? { name, source, line, selfUs: 0 };
    entry.selfUs += us;
    byFunction.set(key, entry);
    bySource.set(source, (bySource.get(source) ?? 0) + us);
    if (classify) {
      const category = classify({ name, source });
      byCategory.set(category, (byCategory.get(category) ?? 0) + us);
    }
  }
  const share = (us) => Math.round((1000 * us) / Math.max(total, 1)) / 10;
  const ms = (us) => Math.round(us / 100) / 10;
  return {
    samples: windowed,
    busyMs: ms(total),
    idleMs: ms(idle),
    functions: [...byFunction.values()]
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, top)
      .map((f) => ({ name: f.name, source: f.source, line: f.line, selfMs: ms(f.selfUs), share: share(f.selfUs) })),
    sources: [...bySource.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([source, us]) => ({ source, selfMs: ms(us), share: share(us) })),
    categories: [...byCategory.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, selfMs: ms(us), share: share(us) })),
  };
}
