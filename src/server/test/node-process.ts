/**
 * A real `roundel serve --database … --redis …` process (from source, through tsx) for the tests
 * that must crash, pause or restart a node, and the config and bot module it runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, spawnServer, testServerEnv, type ServerProcess } from './server-process';

const CLI = 'src/main/cli.ts';

export interface NodeProcess extends ServerProcess {
  name: string;
  port: number;
}

/** Writes a config with endpoint `acme/acme-test` running `botSource` (an ES module's text). */
export function writeNodeConfig(dir: string, botSource: string, apiKey: string, origin: string): string {
  const bot = join(dir, 'bot.mjs');
  writeFileSync(bot, botSource);
  const file = join(dir, 'roundel.config.json');
  writeFileSync(file, JSON.stringify({ endpoints: [{ organization: 'acme', endpoint: 'acme-test', bot, allowedOrigins: [origin], apiKey }] }));
  return file;
}

export interface NodeOptions {
  name: string;
  database: string;
  redis: string;
  config: string;
  publicUrl?: string;
  env?: Record<string, string>;
}

/** Starts a node on port 0; resolves once it printed its URL. */
export async function startNodeProcess(options: NodeOptions): Promise<NodeProcess> {
  const args = ['--import', 'tsx', CLI, 'serve', '--port', '0', '--config', options.config, '--database', options.database];
  args.push('--redis', options.redis, '--node-id', options.name);
  if (options.publicUrl) args.push('--public-url', options.publicUrl);
  const running = await spawnServer(args, { cwd: ROOT, env: testServerEnv(options.env), name: options.name });
  return { ...running, name: options.name, port: Number(new URL(running.url).port) };
}
