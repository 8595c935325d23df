/** `roundel serve` arguments: flags win over environment variables, which win over defaults. */
import { parseArgs } from 'node:util';
import { fail, ok, type Result } from '../protocol';

export interface CliOptions {
  port: number;
  host: string;
  db: string;
  config?: string;
  publicUrl?: string;
}

export const USAGE = `Usage: roundel serve [--port 8080] [--host 127.0.0.1] [--db ./data/roundel.db] [--config FILE] [--public-url URL]

Environment: PORT, HOST, ROUNDEL_DB, ROUNDEL_CONFIG, ROUNDEL_PUBLIC_URL (flags win),
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
  return ok({
    port,
    host: pick(values.host, 'HOST') ?? '127.0.0.1',
    db: pick(values.db, 'ROUNDEL_DB') ?? './data/roundel.db',
    config: pick(values.config, 'ROUNDEL_CONFIG'),
    publicUrl: pick(values['public-url'], 'ROUNDEL_PUBLIC_URL'),
  });
}
