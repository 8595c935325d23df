// Installs what a fresh clone is missing: dependencies (npm ci when the lock file changed) and,
// for the browser tests, a Chromium. Plain Node only: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command with inherited stdio; returns its exit status (1 when it could not start). */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  return result.status ?? 1;
}

function lockHash() {
  const lock = join(root, 'package-lock.json');
  const source = existsSync(lock) ? lock : join(root, 'package.json');
  return createHash('sha256').update(readFileSync(source)).digest('hex');
}

/** `npm ci` unless node_modules already matches package-lock.json. */
export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.roundel-lock-hash');
  const wanted = lockHash();
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;
  console.log('roundel: installing dependencies (npm ci)…');
  const hasLock = existsSync(join(root, 'package-lock.json'));
  const status = run('npm', hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
  if (status !== 0) throw new Error(`npm ${hasLock ? 'ci' : 'install'} failed with status ${status}`);
  writeFileSync(marker, wanted);
}

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

async function playwrightChromium() {
  try {
    const { chromium } = await import('@playwright/test');
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds a Chromium for Playwright: $CHROMIUM_PATH, a system one, Playwright's own; otherwise
 * installs one (Debian's package when apt-get is usable as root, else Playwright's download).
 */
export async function ensureChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const found = SYSTEM_CHROMIUMS.find((path) => existsSync(path)) ?? (await playwrightChromium());
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && run('sh', ['-c', 'command -v apt-get >/dev/null']) === 0) {
    console.log('roundel: installing Chromium with apt-get…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update'], { env }) === 0 && run('apt-get', ['install', '-y', 'chromium'], { env }) === 0) {
      const installed = SYSTEM_CHROMIUMS.find((path) => existsSync(path));
      if (installed) return installed;
    }
  }
  console.log("roundel: installing Playwright's Chromium…");
  if (run('npx', ['playwright', 'install', 'chromium']) === 0) {
    const downloaded = await playwrightChromium();
    if (downloaded) return downloaded;
  }
  throw new Error('No Chromium found: set CHROMIUM_PATH, install chromium, or run `npx playwright install chromium`.');
}
