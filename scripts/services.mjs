// The real PostgreSQL and Redis that the multi-node tests, `npm run cluster` and the cluster bench
// run against: installed from Debian's packages when missing (CI runs as root on a machine that
// may lack both), then started on 127.0.0.1 with free ports in temp dirs and stopped at the end.
// Plain Node with no dependencies: `npm test` calls it before anything else is known to work.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** How long a server may take to say it is ready (a cold initdb on a busy 2-core machine is slow). */
const READY_MS = 60_000;

/** Every server started by this process: stopped on exit even when a caller forgot to. */
const running = new Set();
let exitHookInstalled = false;
function track(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all that can be sent from here.
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

function sh(command) {
  return spawnSync('sh', ['-c', command], { stdio: 'ignore' }).status === 0;
}

/** PostgreSQL's bin dir: $ROUNDEL_PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian's layout). */
export function postgresBinDir() {
  const fromEnv = process.env.ROUNDEL_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'postgres')) ? fromEnv : undefined;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0], 'bin') : undefined;
}

const hasRedis = () => sh('command -v redis-server >/dev/null');

/**
 * Installs PostgreSQL and redis-server with apt-get when either is missing (as root only). The
 * packages' own services are kept from starting (policy-rc.d): nothing may listen on the
 * default ports or outlive the run. @throws when they are missing and cannot be installed.
 */
export function ensureServices() {
  const missing = [];
  if (!postgresBinDir()) missing.push('postgresql');
  if (!hasRedis()) missing.push('redis-server');
  if (missing.length === 0) return;
  if (!isRoot || !sh('command -v apt-get >/dev/null')) {
    throw new Error(`missing ${missing.join(' and ')}: install them (Debian: apt-get install -y ${missing.join(' ')}) or set ROUNDEL_PG_BIN`);
  }
  console.log(`roundel: installing ${missing.join(' and ')} with apt-get…`);
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) {
    // 101 = "action forbidden": invoke-rc.d then leaves the packages' daemons stopped.
    writeFileSync(policy, '#!/bin/sh\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
    if (!apt(['update']) || !apt(['install', '-y', '--no-install-recommends', ...missing])) {
      throw new Error(`apt-get install ${missing.join(' ')} failed`);
    }
  } finally {
    if (ownPolicy) unlinkSync(policy);
  }
  if (!postgresBinDir() || !hasRedis()) throw new Error(`installed ${missing.join(' and ')} but cannot find them`);
}

/** A free TCP port on 127.0.0.1 (released before returning: the server binds it right after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `pattern` appears in the child's output; rejects when it exits first or after READY_MS. */
function whenReady(child, name, pattern) {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => done(new Error(`${name} did not start within ${READY_MS} ms:\n${output}`)), READY_MS);
    const onData = (chunk) => {
      output += chunk.toString();
      if (pattern.test(output)) done();
    };
    const onExit = (code, signal) => done(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output}`));
    function done(error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining: a full pipe would stall the server.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** uid/gid of the `postgres` user: PostgreSQL refuses to run as root. */
function postgresUser() {
  if (!isRoot) return {};
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid <= 0) {
    throw new Error("running as root needs a 'postgres' user to run PostgreSQL (Debian's postgresql package creates it)");
  }
  return { uid, gid };
}

/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 (trust auth, user `postgres`, a database
 * `roundel`). `durable: false` (the default) turns fsync off: test data need not survive a power cut.
 * @returns {Promise<import('./services.d.mts').PostgresHandle>}
 */
export async function startPostgres({ durable = false } = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (npm test installs it; or set ROUNDEL_PG_BIN)');
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'roundel-pg-'));
  const data = join(dir, 'data');
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid);
  const initdb = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
    encoding: 'utf8',
    ...user,
  });
  if (initdb.status !== 0) throw new Error(`initdb failed:\n${initdb.stderr}`);

  const port = await freePort();
  let child;
  const start = async () => {
    child = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', `fsync=${durable ? 'on' : 'off'}`,
        '-c', 'max_connections=200'],
      { stdio: ['ignore', 'pipe', 'pipe'], ...user },
    );
    track(child);
    await whenReady(child, 'PostgreSQL', /database system is ready to accept connections/);
  };
  const stop = async (mode = 'smart') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const running = child;
    // SIGTERM ("smart") waits for the clients to disconnect, so a client ending its connection is
    // not handed a FATAL; SIGINT ("fast") rolls back open transactions and drops the clients: what
    // an outage test wants, and what a smart shutdown becomes when clients linger.
    running.kill(mode === 'fast' ? 'SIGINT' : 'SIGTERM');
    const hurry = mode === 'fast' ? undefined : setTimeout(() => running.kill('SIGINT'), 3000);
    await exited(running);
    clearTimeout(hurry);
  };
  const psql = (sql, database = 'postgres') => {
    const result = spawnSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  try {
    await start();
    psql('CREATE DATABASE roundel');
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const urlOf = (database) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url: urlOf('roundel'),
    urlOf,
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`database name must match [a-z_][a-z0-9_]*, got '${name}'`);
      psql(`CREATE DATABASE ${name}`);
      return urlOf(name);
    },
    createSchema(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`schema name must match [a-z_][a-z0-9_]*, got '${name}'`);
      // Much cheaper than a database (no copy of template1): what tests use to stay apart.
      psql(`CREATE SCHEMA ${name}`, 'roundel');
      return `${urlOf('roundel')}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
    },
    start,
    stop,
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      // The postmaster only: its backends notice its death and exit by themselves.
      child.kill('SIGKILL');
      await exited(child);
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a throwaway redis-server on 127.0.0.1 without persistence; `stop()` and `start()` again
 * restart it on the same port (the "Redis restarted" failure).
 * @returns {Promise<import('./services.d.mts').RedisHandle>}
 */
export async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'roundel-redis-'));
  const port = await freePort();
  let child;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track(child);
    await whenReady(child, 'redis-server', /Ready to accept connections/);
  };
  const stop = async (signal = 'SIGTERM') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited(child);
  };
  try {
    await start();
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    kill: () => stop('SIGKILL'),
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// `node scripts/services.mjs install`: the step .ci/run and `npm test` take.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === 'install') {
  ensureServices();
}
