import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnServer, type ServerProcess } from '../../src/server/test/server-process';
import { currentGroup, type ProcessGroup } from './processes';

export interface EndpointSpec {
  organization?: string;
  endpoint?: string;
  bot?: string;
  allowedOrigins?: string[];
  apiKey?: string;
  title?: string;
  identitySecret?: string;
}

export interface RunningServer extends ServerProcess {
  dataDir: string;
  dbPath: string;
}

export const E2E_BOT = resolve('e2e/fixtures/bot.mjs');
export const HOST_ORIGIN = 'http://shop.test';
export const API_KEY = 'e2e-api-key-0123456789abcdef';

/** Writes a config for the given endpoints (default: one `acme-demo` with the e2e bot). */
export function writeConfig(
  dataDir: string,
  endpoints: EndpointSpec[] = [{}],
  extra: { retention?: { maxEvents?: number; maxAgeDays?: number } } = {},
): string {
  const file = join(dataDir, 'roundel.config.json');
  const config = {
    endpoints: endpoints.map((e) => ({
      organization: e.organization ?? 'acme',
      endpoint: e.endpoint ?? 'acme-demo',
      bot: e.bot ?? E2E_BOT,
      allowedOrigins: e.allowedOrigins ?? [HOST_ORIGIN],
      apiKey: e.apiKey ?? API_KEY,
      ...(e.title ? { title: e.title } : {}),
      ...(e.identitySecret ? { identitySecret: e.identitySecret } : {}),
    })),
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * Starts `node bin/roundel.mjs serve --port 0` (the built server) and resolves once it printed
 * the URL it listens on. Pass `dataDir` (and `port`) again to restart on the same database (and address).
 * The process belongs to `group` (default: the running test's, or the worker's in `beforeAll`;
 * see processes.ts), which ends it should the spec not.
 */
export async function startServer(
  options: { dataDir?: string; config?: string | null; env?: Record<string, string>; port?: number; group?: ProcessGroup } = {},
): Promise<RunningServer> {
  // Before spawning: a process nobody would end is never started.
  const group = options.group ?? currentGroup();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'roundel-e2e-'));
  const dbPath = join(dataDir, 'roundel.db');
  const config = options.config === undefined ? writeConfig(dataDir) : options.config;
  const args = ['bin/roundel.mjs', 'serve', '--port', String(options.port ?? 0), '--host', '127.0.0.1', '--db', dbPath];
  if (config) args.push('--config', config);
  const running = await spawnServer(args, { env: { ...process.env, ROUNDEL_API_KEY: API_KEY, ...options.env }, onSpawn: (child) => group.addChild('roundel', child) });
  return { ...running, dataDir, dbPath };
}
