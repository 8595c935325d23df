// Starts the three servers the server scenarios compare, each in its own process on 127.0.0.1:
// Roundel (the built CLI), the floor (a bare `ws` forwarder) and the peer (Socket.IO).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, PROFILES_DIR, ROUNDEL_DIR, spawnNode } from './util.mjs';

export const API_KEY = 'bench-api-key-0123456789abcdef0123';
export const HOST_ORIGIN = 'http://shop.test';
/** Above the 10,000 dialogs of the connections scenario. */
const MAX_CONNECTIONS = 20_000;

function profileArgs(profile) {
  if (!profile) return [];
  mkdirSync(PROFILES_DIR, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${PROFILES_DIR}`, `--cpu-prof-name=${profile}.cpuprofile`];
}

/**
 * Roundel with the bench bot on a fresh database; `sync` is SQLite's synchronous (default FULL),
 * `logLevel` its ROUNDEL_LOG_LEVEL (default warn: nothing on the hot path).
 */
export async function startRoundel({ sync = 'FULL', profile, logLevel = 'warn' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'roundel-bench-'));
  const config = join(dir, 'roundel.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      endpoints: [
        {
          organization: 'acme',
          endpoint: 'acme-demo',
          bot: join(BENCH_DIR, 'bots', 'bench-bot.mjs'),
          allowedOrigins: [HOST_ORIGIN],
          apiKey: API_KEY,
          title: 'Bench',
        },
      ],
    }),
  );
  const server = await spawnNode(
    [...profileArgs(profile), join(ROUNDEL_DIR, 'bin', 'roundel.mjs'), 'serve', '--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'roundel.db'), '--config', config],
    {
      env: {
        ROUNDEL_SQLITE_SYNC: sync,
        ROUNDEL_LOG_LEVEL: logLevel,
        // Every bench client comes from 127.0.0.1: the per-address guards would refuse them.
        ROUNDEL_HTTP_RATE_LIMIT: 'off',
        ROUNDEL_MAX_CONNECTIONS_PER_IP: String(MAX_CONNECTIONS),
        ROUNDEL_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      },
      name: 'roundel',
    },
  );
  return {
    kind: 'roundel',
    url: server.match[0],
    dir,
    ...server,
    // The database is the bench's own scratch: gone with the server.
    async stop() {
      const code = await server.stop();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** The floor: a minimal `ws` server that forwards each POST body to a socket, storing nothing. */
export async function startFloor({ profile } = {}) {
  const server = await spawnNode([...profileArgs(profile), join(BENCH_DIR, 'baselines', 'floor-server.mjs')], { name: 'floor' });
  return { kind: 'floor', url: server.match[0], ...server };
}

/** The peer: the same forwarder on Socket.IO (rooms, `io.to(room).emit`). */
export async function startSocketIo({ profile } = {}) {
  const server = await spawnNode([...profileArgs(profile), join(BENCH_DIR, 'baselines', 'socketio-server.mjs')], { name: 'socket.io' });
  return { kind: 'socketio', url: server.match[0], ...server };
}

export const starters = { roundel: startRoundel, floor: startFloor, socketio: startSocketIo };
