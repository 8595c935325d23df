// `npm run cluster [-- --port 8080 --nodes 3]`: Roundel on several nodes, the way a newcomer tries
// it on one machine. Starts a throwaway PostgreSQL and Redis (temp dirs, free ports), N nodes
// (`roundel serve --database … --redis … --node-id node-K`) and a round-robin balancer in front,
// then prints the URL. Ctrl-C stops everything it started and removes the temp dirs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startBalancer } from './balancer.mjs';
import { ensureServices, startPostgres, startRedis } from './services.mjs';
import { ensureDependencies, root, run } from './setup.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, nodes: { type: 'string', default: '3' } } });
const port = Number(values.port);
const count = Number(values.nodes);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`--port must be 0..65535, got '${values.port}'`);
if (!Number.isInteger(count) || count < 1 || count > 16) throw new TypeError(`--nodes must be 1..16, got '${values.nodes}'`);

ensureDependencies();
if (run('npm', ['run', 'build']) !== 0) process.exit(1);
ensureServices();

const say = (line) => process.stdout.write(`${line}\n`);
const started = { nodes: [], balancer: undefined, postgres: undefined, redis: undefined };
let stopping;

async function stopAll(code) {
  stopping ??= (async () => {
    await Promise.all(
      started.nodes.map(
        (child) => new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
      ),
    );
    await started.balancer?.close();
    await Promise.all([started.redis?.close(), started.postgres?.close()]);
  })();
  await stopping;
  process.exit(code);
}
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

/** Starts node `name`; resolves with its URL once it printed it. Its log lines are prefixed with its name. */
function startNode(name, env, publicUrl) {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'roundel.mjs'), 'serve', '--port', '0', '--database', env.database, '--redis', env.redis, '--node-id', name, '--public-url', publicUrl],
    { cwd: root, env: { ...process.env, ROUNDEL_API_KEY: env.apiKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.nodes.push(child);
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (match) resolve({ name, host: '127.0.0.1', port: Number(match[1]) });
    });
    child.once('exit', (code, signal) => {
      if (!stopping) say(`roundel cluster: ${name} exited (${signal ?? code})`);
      reject(new Error(`${name} exited before listening`));
    });
  });
}

try {
  const [postgres, redis] = await Promise.all([startPostgres({ durable: true }), startRedis()]);
  Object.assign(started, { postgres, redis });
  // The balancer listens first: its URL is every node's public URL (pushback links, allowed origin).
  const balancer = await startBalancer([], { port });
  started.balancer = balancer;
  const apiKey = process.env.ROUNDEL_API_KEY || randomBytes(24).toString('base64url');
  const env = { database: postgres.url, redis: redis.url, apiKey };
  // One at a time: the first migrates the database, the others find it ready.
  const nodes = [];
  for (let k = 1; k <= count; k += 1) nodes.push(await startNode(`node-${k}`, env, balancer.url));
  balancer.setBackends(nodes);
  say('');
  say(`Roundel cluster on ${balancer.url}  (round-robin over ${count} nodes)`);
  for (const node of nodes) say(`  ${node.name}: http://${node.host}:${node.port}`);
  say(`  PostgreSQL: ${postgres.url}`);
  say(`  Redis: ${redis.url}`);
  say(`  API key for endpoint acme-demo: ${process.env.ROUNDEL_API_KEY ? 'from ROUNDEL_API_KEY' : apiKey}`);
  say('Ctrl-C stops everything.');
} catch (error) {
  say(`roundel cluster: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
}
