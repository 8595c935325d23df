// bench/peers: the peers Roundel is measured against, pinned in bench/peers/package.json and
// installed on demand (`npm install --prefix bench/peers --ignore-scripts`) so that the product's
// own install stays lean. Their code is only measured and run here, never committed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEERS_DIR, log } from './util.mjs';

/** True when every pinned peer is installed at its pinned version. */
function installed() {
  const { dependencies } = JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8'));
  return Object.entries(dependencies).every(([name, version]) => {
    const file = join(PEERS_DIR, 'node_modules', name, 'package.json');
    return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).version === version;
  });
}

/** Installs bench/peers when missing; returns the seconds it took (0 when already there). */
export function ensurePeers() {
  if (installed()) return 0;
  log('installing bench/peers (once; a few minutes on a cold npm cache)');
  const started = Date.now();
  const result = spawnSync(
    'npm',
    ['install', '--prefix', PEERS_DIR, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0 || !installed()) throw new Error(`npm install --prefix bench/peers failed (${result.status})`);
  return Math.round((Date.now() - started) / 100) / 10;
}

export const peerPath = (...parts) => join(PEERS_DIR, 'node_modules', ...parts);

export function peerVersion(name) {
  return JSON.parse(readFileSync(peerPath(name, 'package.json'), 'utf8')).version;
}
