// The package as a user gets it: `npm pack`, then `npm install ./roundel-*.tgz` into an empty
// folder, then `npx roundel serve --port 0` answers /healthz, /, /messenger.js, /openapi.json and
// the agent console /agent/; and `roundel/messenger` is an ES module with types that vite bundles
// into a page and tsc checks. Needs `npm run build` first (npm test runs it after the build).
// Installing compiles better-sqlite3 when npm's cache has no prebuilt binary: about a minute.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './setup.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'roundel-package-'));
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

function sh(command, args, cwd, extra = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', ...extra });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Runs `npx roundel serve --port 0` in `dir`; resolves with its URL and a stop function. */
function serve(dir) {
  // Its own process group, so that stopping it stops the server under npx too.
  const child = spawn('npx', ['--no-install', 'roundel', 'serve', '--port', '0', '--db', join(dir, 'data', 'roundel.db')], {
    cwd: dir,
    detached: true,
    env: { ...process.env, ROUNDEL_API_KEY: 'package-test-key-0123456789', ROUNDEL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      process.kill(-child.pid, 'SIGTERM');
      setTimeout(() => child.exitCode === null && process.kill(-child.pid, 'SIGKILL'), 6000).unref();
    });
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`roundel serve printed no URL in 30 s:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /http:\/\/[^\s]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`roundel serve exited (${code}):\n${output}`));
    });
  });
  return { url, stop };
}

async function main() {
  for (const file of ['dist/messenger.js', 'dist/messenger.mjs', 'dist/types/public.d.ts', 'dist/server/cli.js']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run npm run build first`);
  }
  // --ignore-scripts: the build is done; prepack would build again.
  sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], root);
  const tarball = readdirSync(work).find((f) => f.startsWith('roundel-') && f.endsWith('.tgz'));
  check(tarball === `roundel-${pkg.version}.tgz`, `npm pack gives roundel-${pkg.version}.tgz`);
  const listing = sh('tar', ['-tzf', join(work, tarball)], work).split('\n');
  check(!listing.some((f) => f.startsWith('package/src/') || f.startsWith('package/e2e/') || f.startsWith('package/bench/')), 'the package holds no sources, tests or benchmarks');
  check(listing.includes('package/docs/openapi.json') && listing.includes('package/docs/config.schema.json'), 'the package holds docs/openapi.json and docs/config.schema.json');

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'roundel-package-test', private: true, type: 'module' }));
  sh('npm', ['install', `../${tarball}`, '--no-audit', '--no-fund', '--prefer-offline'], app, { stdio: ['ignore', 'pipe', 'inherit'] });

  const server = serve(app);
  try {
    const url = await server.url;
    const get = (path) => fetch(`${url}${path}`);
    const health = await get('/healthz');
    check(health.status === 200 && (await health.json()).status === 'ok', 'GET /healthz answers 200 {"status":"ok"}');
    const page = await get('/');
    check(page.status === 200 && (await page.text()).includes('/messenger.js'), 'GET / serves the demo page');
    const widget = await get('/messenger.js');
    check(widget.status === 200 && (await widget.text()).includes('ServisBot'), 'GET /messenger.js serves the widget');
    const openapi = await get('/openapi.json');
    const doc = openapi.status === 200 ? await openapi.json() : {};
    check(doc.openapi === '3.1.0' && doc.info?.version === pkg.version, `GET /openapi.json serves OpenAPI 3.1.0 at version ${pkg.version}`);
    const agent = await get('/agent/');
    check(agent.status === 200 && (await agent.text()).includes('/agent/console.js'), 'GET /agent/ serves the agent console');
    const script = await get('/agent/console.js');
    check(script.status === 200, 'GET /agent/console.js serves the console script');
  } finally {
    await server.stop();
  }

  // The ES module with its types, as a site's bundler and type checker see it.
  const site = join(app, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.ts"></script></body></html>\n');
  writeFileSync(
    join(site, 'main.ts'),
    [
      "import { init, type MessengerApi, type MessengerOptions } from 'roundel/messenger';",
      "const options: MessengerOptions = { organization: 'acme', endpoint: 'acme-demo' };",
      'const api: MessengerApi = init(options);',
      "api.on('notification', (message: string) => console.log(message));",
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(site, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [] }, files: ['main.ts'] }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', site], { encoding: 'utf8' });
  check(tsc.status === 0, `tsc checks a page using roundel/messenger's types${tsc.status === 0 ? '' : `:\n${tsc.stdout}${tsc.stderr}`}`);
  const vite = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', site, '--outDir', join(site, 'dist'), '--logLevel', 'warn'], {
    cwd: app,
    encoding: 'utf8',
  });
  const bundled = vite.status === 0 ? readdirSync(join(site, 'dist', 'assets')).map((f) => readFileSync(join(site, 'dist', 'assets', f), 'utf8')).join('') : '';
  check(vite.status === 0 && bundled.includes('servisbot-messenger'), `vite bundles a page that imports roundel/messenger${vite.status === 0 ? '' : `:\n${vite.stderr}`}`);
}

try {
  await main();
} catch (error) {
  failures.push(String(error.stack ?? error));
  console.error(error);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(failures.length === 0 ? 'package: all checks passed' : `package: ${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
