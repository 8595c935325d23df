import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnServer, type ServerProcess } from '../../src/server/test/server-process';

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
 */
export async function startServer(
  options: { dataDir?: string; config?: string | null; env?: Record<string, string>; port?: number } = {},
): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'roundel-e2e-'));
  const dbPath = join(dataDir, 'roundel.db');
  const config = options.config === undefined ? writeConfig(dataDir) : options.config;
  const args = ['bin/roundel.mjs', 'serve', '--port', String(options.port ?? 0), '--host', '127.0.0.1', '--db', dbPath];
  if (config) args.push('--config', config);
  const running = await spawnServer(args, { env: { ...process.env, ROUNDEL_API_KEY: API_KEY, ...options.env } });
  return { ...running, dataDir, dbPath };
}
