/** `roundel serve` arguments: flags win over environment variables, which win over defaults. */
import { parseArgs } from 'node:util';
import { fail, ok, type Result } from '../protocol';

export interface CliOptions {
  port: number;
  host: string;
  db: string;
  config?: string;
  publicUrl?: string;
  /** PostgreSQL URL: the shared store of several nodes instead of the SQLite file (docs/scaling.md). */
  database?: string;
  /** Redis URL: live traffic between the nodes. Needs `database`. */
  redis?: string;
  /** This node's name in `/healthz`, logs and shard leases. Default: host name and pid. */
  nodeId?: string;
}

export const USAGE = `Usage: roundel serve [--port 8080] [--host 127.0.0.1] [--db ./data/roundel.db] [--config FILE] [--public-url URL]
                    [--database postgres://USER@HOST:PORT/DB] [--redis redis://HOST:PORT] [--node-id NAME]

Environment: PORT, HOST, ROUNDEL_DB, ROUNDEL_CONFIG, ROUNDEL_PUBLIC_URL,
ROUNDEL_DATABASE_URL, ROUNDEL_REDIS_URL, ROUNDEL_NODE_ID (flags win),
ROUNDEL_API_KEY (the built-in endpoint's key), ROUNDEL_AGENT_KEY (its demo agent's console key), ROUNDEL_SECRET (token signing key),
ROUNDEL_LOG_LEVEL (debug|info|warn|error), ROUNDEL_SQLITE_SYNC (FULL|NORMAL, default FULL).
Security (docs/security.md): ROUNDEL_SECRET_PREVIOUS, ROUNDEL_TOKEN_MAX_AGE_DAYS,
ROUNDEL_HTTP_RATE_LIMIT, ROUNDEL_MAX_CONNECTIONS_PER_IP, ROUNDEL_MAX_CONNECTIONS,
ROUNDEL_TRUSTED_PROXIES, ROUNDEL_EXIT_ON_UNCAUGHT.`;

type Env = Readonly<Record<string, string | undefined>>;

/** Parses `argv` (without node and script). `'help'` when help was asked for. */
export function parseCliArgs(argv: readonly string[], env: Env): Result<CliOptions | 'help'> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        config: { type: 'string' },
        'public-url': { type: 'string' },
        database: { type: 'string' },
        redis: { type: 'string' },
        'node-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return ok('help');
  const [command, ...rest] = positionals;
  if (command !== undefined && command !== 'serve') return fail(`unknown command '${command}'`);
  if (rest.length > 0) return fail(`unexpected argument '${rest[0]}'`);
  const pick = (flag: string | undefined, name: string): string | undefined => {
    const value = flag ?? env[name];
    return value === '' ? undefined : value;
  };
  const portText = pick(values.port, 'PORT') ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return fail(`--port must be an integer from 0 to 65535, got '${portText}'`);
  const database = pick(values.database, 'ROUNDEL_DATABASE_URL');
  if (database !== undefined && !/^postgres(ql)?:\/\/./.test(database)) {
    return fail('--database must be a PostgreSQL URL like postgres://USER@HOST:5432/DB');
  }
  const redis = pick(values.redis, 'ROUNDEL_REDIS_URL');
  if (redis !== undefined && !/^rediss?:\/\/./.test(redis)) return fail('--redis must be a Redis URL like redis://HOST:6379');
  if (redis !== undefined && database === undefined) {
    return fail('--redis needs --database: nodes share their chats through PostgreSQL, Redis only carries the live traffic');
  }
  const nodeId = pick(values['node-id'], 'ROUNDEL_NODE_ID');
  if (nodeId !== undefined && !/^[\w.:-]{1,64}$/.test(nodeId)) {
    return fail(`--node-id must be 1 to 64 letters, digits, '.', ':', '_' or '-', got '${nodeId}'`);
  }
  return ok({
    port,
    host: pick(values.host, 'HOST') ?? '127.0.0.1',
    db: pick(values.db, 'ROUNDEL_DB') ?? './data/roundel.db',
    config: pick(values.config, 'ROUNDEL_CONFIG'),
    publicUrl: pick(values['public-url'], 'ROUNDEL_PUBLIC_URL'),
    ...(database === undefined ? {} : { database }),
    ...(redis === undefined ? {} : { redis }),
    ...(nodeId === undefined ? {} : { nodeId }),
  });
}
