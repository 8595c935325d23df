/**
 * `roundel serve`: wires config, environment and process signals to {@link createServer}. This
 * layer (src/main) is the only one that imports both the server and the bundled bots.
 * Prints one line `Roundel listening on http://HOST:PORT` once listening.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import demoBot from '../bots/demo';
import {
  ConfigError,
  createJsonLogger,
  createServer,
  errorFields,
  findPackageRoot,
  installProcessGuard,
  isLogLevel,
  loadConfig,
  securityFromEnv,
  type EndpointConfig,
  type LoadedConfig,
} from '../server';
import { USAGE, parseCliArgs } from './cli-args';

type Env = Readonly<Record<string, string | undefined>>;

/** Shutdown must finish within this, or the process exits anyway. */
const SHUTDOWN_MS = 5000;

const print = (line: string) => process.stdout.write(`${line}\n`);
const printError = (line: string) => process.stderr.write(`${line}\n`);

/** The built-in endpoint used without a config file. */
function builtInEndpoint(env: Env): EndpointConfig {
  const given = env.ROUNDEL_API_KEY;
  const apiKey = given !== undefined && given !== '' ? given : randomBytes(24).toString('base64url');
  // The operator's own key for their local server: printed so the management API can be tried.
  print(given ? 'API key for endpoint acme-demo: from ROUNDEL_API_KEY' : `API key for endpoint acme-demo: ${apiKey}`);
  // One demo agent, so that the console at /agent/ can take over the demo's chats ("talk to a person").
  const givenAgentKey = env.ROUNDEL_AGENT_KEY;
  const agentKey = givenAgentKey !== undefined && givenAgentKey !== '' ? givenAgentKey : randomBytes(24).toString('base64url');
  print(givenAgentKey ? 'Agent key for the console at /agent/: from ROUNDEL_AGENT_KEY' : `Agent key for the console at /agent/: ${agentKey}`);
  const agents = [{ id: 'agent@acme.example', name: 'Acme agent', key: agentKey }];
  return { organization: 'acme', endpoint: 'acme-demo', bot: demoBot, allowedOrigins: [], apiKey, title: 'Acme', agents };
}

/** `ROUNDEL_SQLITE_SYNC=NORMAL` trades the last commits on power loss for speed (benchmarks); default FULL. */
function sqliteSync(value: string | undefined): 'FULL' | 'NORMAL' | undefined {
  const upper = value?.toUpperCase();
  return upper === 'FULL' || upper === 'NORMAL' ? upper : undefined;
}

const urlHost = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/**
 * Test hook for the crash tests (src/server/test/webhook-crash.test.ts): with the variable set to
 * an agent push action, the process SIGKILLs itself after committing such a push and before
 * enqueueing its webhook deliveries, the window a crash could hit. Unset in any real deployment.
 */
function killBeforeWebhookEnqueue(action: string | undefined): { beforeWebhookEnqueue?: (action: string) => void } {
  if (action === undefined || action === '') return {};
  return {
    beforeWebhookEnqueue: (pushed) => {
      if (pushed === action) process.kill(process.pid, 'SIGKILL');
    },
  };
}

/**
 * Runs `roundel serve` with `argv` (arguments after the script) and `env`. Resolves with 0 once
 * the server listens (the process then runs until SIGTERM/SIGINT, which close it and exit 0),
 * or with a non-zero code, already set as `process.exitCode`, when it could not start.
 */
export async function main(argv: readonly string[], env: Env = process.env): Promise<number> {
  const failWith = (code: number, message: string): number => {
    printError(message);
    process.exitCode = code;
    return code;
  };
  const args = parseCliArgs(argv, env);
  if (!args.ok) return failWith(2, `roundel: ${args.error}\n\n${USAGE}`);
  if (args.value === 'help') {
    print(USAGE);
    return 0;
  }
  const options = args.value;
  const security = securityFromEnv(env);
  if (!security.ok) return failWith(2, `roundel: ${security.error}`);
  const { exitOnUncaught, ...securityOptions } = security.value;
  const logger = createJsonLogger({ level: isLogLevel(env.ROUNDEL_LOG_LEVEL) ? env.ROUNDEL_LOG_LEVEL : 'info' });

  let config: LoadedConfig;
  try {
    config = options.config === undefined ? { endpoints: [builtInEndpoint(env)] } : await loadConfig(options.config, env);
  } catch (error) {
    if (error instanceof ConfigError) return failWith(1, error.message);
    throw error;
  }

  const root = findPackageRoot(import.meta.url);
  let server;
  try {
    if (options.database === undefined && options.db !== ':memory:') mkdirSync(dirname(resolve(options.db)), { recursive: true });
    server = await createServer({
      dbPath: options.db,
      database: options.database,
      redis: options.redis,
      nodeId: options.nodeId,
      endpoints: config.endpoints,
      retention: config.retention,
      publicUrl: options.publicUrl,
      widgetFile: root === undefined ? undefined : join(root, 'dist', 'messenger.js'),
      demoDir: root === undefined ? undefined : join(root, 'demo'),
      consoleDir: root === undefined ? undefined : join(root, 'dist', 'console'),
      logger,
      secret: env.ROUNDEL_SECRET === '' ? undefined : env.ROUNDEL_SECRET,
      ...securityOptions,
      synchronous: sqliteSync(env.ROUNDEL_SQLITE_SYNC),
      ...killBeforeWebhookEnqueue(env.ROUNDEL_TEST_KILL_BEFORE_WEBHOOK_ENQUEUE),
    });
    const http = server.httpServer;
    await new Promise<void>((done, fail) => {
      http.once('error', fail);
      http.listen(options.port, options.host, () => {
        http.off('error', fail);
        done();
      });
    });
  } catch (error) {
    await server?.close();
    return failWith(1, `roundel: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }

  // Bot code may throw from its own timers or leave a promise rejecting unobserved; that must
  // not take every conversation down (docs/security.md, "Process guard").
  installProcessGuard(logger, process, { exitOnUncaught });
  const running = server;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    setTimeout(() => process.exit(1), SHUTDOWN_MS).unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', errorFields(error));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // SIGHUP reloads the config file: new titles, themes, origins, keys reach the running server
  // and its open widgets without a restart; a bad file is logged and the running config kept.
  process.on('SIGHUP', () => {
    if (stopping) return;
    if (options.config === undefined) return logger.info('SIGHUP: no config file to reload');
    loadConfig(options.config, env)
      .then((reloaded) => logger.info('config reloaded', { file: options.config, settingsChanged: running.reloadEndpoints(reloaded.endpoints) }))
      .catch((error: unknown) => logger.error('config reload failed; the running config stays', { file: options.config, ...errorFields(error) }));
  });

  const { port } = running.httpServer.address() as AddressInfo;
  print(`Roundel listening on http://${urlHost(options.host)}:${port}`);
  return 0;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2), process.env).catch((error: unknown) => {
    printError(`roundel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
