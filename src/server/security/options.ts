/**
 * The security knobs of {@link createServer} (docs/security.md lists each with its default), their
 * validation, and the environment variables `roundel serve` reads them from.
 */
import { DAY_MS, DEFAULT_TOKEN_MAX_AGE_DAYS, TokenSigner } from '../token';
import { fail, ok, type Result } from '../../protocol';
import type { Logger } from '../logger';
import type { Redis } from 'ioredis';
import type { RateLimit } from '../rate-limit';
import { ClientGuard, DEFAULT_HTTP_RATE_LIMIT } from './client-guard';
import { trustedProxySet } from './client-ip';

export interface SecurityOptions {
  /** Older token secrets that still verify (rotation, docs/security.md). Default none. */
  previousSecrets?: ReadonlyArray<string | Uint8Array>;
  /** Tokens older than this are refused; every login renews the token. Default 180. */
  tokenMaxAgeDays?: number;
  /** Requests per client address across `/pushgate`, `/api/v1` and websocket upgrades; `false` = off. Default 200 per 2 s. */
  httpRateLimit?: RateLimit | false;
  /** Where per-address and per-pushback limits count: an ioredis client shares them across nodes (`--redis`). Default: this process's memory. */
  rateLimitRedis?: Redis;
  /** Open websocket connections per client address (IPv4 address or IPv6 /64). Default 50. */
  maxConnectionsPerIp?: number;
  /** Reverse proxies (exact addresses) whose `X-Forwarded-For` names the client. Default none. */
  trustedProxies?: readonly string[];
  /** Close (4003) a socket whose unsent bytes stay above `maxBufferedBytes` (default 1 MiB) for `graceMs` (default 5000), or pass 4x it. */
  slowConsumer?: { maxBufferedBytes?: number; graceMs?: number };
  /** A socket the server closed is terminated when the peer has not finished the close handshake by then. Default 2000 ms. */
  closeGraceMs?: number;
}

/** The validated settings. */
export interface ResolvedSecurity {
  previousSecrets: Buffer[];
  tokenMaxAgeMs: number;
  guard: ClientGuard;
  maxConnectionsPerIp: number;
  maxBufferedBytes: number;
  slowConsumerMs: number;
  closeGraceMs: number;
}

/** Secrets shorter than this are accepted with a warning (a generated one has 32 bytes). */
const WEAK_SECRET_BYTES = 16;

/** `value`, or `fallback` when undefined. @throws TypeError naming the option unless a positive finite number. */
export function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}

function rateLimit(name: string, value: RateLimit | false | undefined): RateLimit | false {
  if (value === undefined) return DEFAULT_HTTP_RATE_LIMIT;
  if (value === false) return false;
  return { burst: positive(`${name}.burst`, value.burst, 1), perSecond: positive(`${name}.perSecond`, value.perSecond, 1) };
}

/** Validates the options. @throws TypeError naming a bad option. */
export function resolveSecurity(options: SecurityOptions): ResolvedSecurity {
  return {
    previousSecrets: (options.previousSecrets ?? []).map((secret) => Buffer.from(secret)).filter((b) => b.length > 0),
    tokenMaxAgeMs: positive('tokenMaxAgeDays', options.tokenMaxAgeDays, DEFAULT_TOKEN_MAX_AGE_DAYS) * DAY_MS,
    guard: new ClientGuard({
      rateLimit: rateLimit('httpRateLimit', options.httpRateLimit),
      trustedProxies: trustedProxySet(options.trustedProxies),
      redis: options.rateLimitRedis,
    }),
    maxConnectionsPerIp: positive('maxConnectionsPerIp', options.maxConnectionsPerIp, 50),
    maxBufferedBytes: positive('slowConsumer.maxBufferedBytes', options.slowConsumer?.maxBufferedBytes, 1024 * 1024),
    slowConsumerMs: positive('slowConsumer.graceMs', options.slowConsumer?.graceMs, 5000),
    closeGraceMs: positive('closeGraceMs', options.closeGraceMs, 2000),
  };
}

/** The signer of session tokens; warns about a short secret. */
export function createTokenSigner(current: Buffer, security: ResolvedSecurity, logger: Logger): TokenSigner {
  if ([current, ...security.previousSecrets].some((secret) => secret.length < WEAK_SECRET_BYTES)) {
    logger.warn(`a token secret is shorter than ${WEAK_SECRET_BYTES} bytes; use 32 random bytes (docs/security.md)`);
  }
  return new TokenSigner(current, security.previousSecrets, security.tokenMaxAgeMs);
}

type Env = Readonly<Record<string, string | undefined>>;

/** What `roundel serve` takes from the environment, beside `ROUNDEL_SECRET`. */
export interface EnvSecurity extends SecurityOptions {
  maxConnections?: number;
  /** `ROUNDEL_EXIT_ON_UNCAUGHT=1`: exit on an uncaught exception instead of serving on. */
  exitOnUncaught: boolean;
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

/**
 * Reads `ROUNDEL_SECRET_PREVIOUS` (comma-separated), `ROUNDEL_TOKEN_MAX_AGE_DAYS`,
 * `ROUNDEL_HTTP_RATE_LIMIT` (`BURST/PER_SECOND` or `off`), `ROUNDEL_MAX_CONNECTIONS_PER_IP`,
 * `ROUNDEL_MAX_CONNECTIONS`, `ROUNDEL_TRUSTED_PROXIES` (comma-separated) and
 * `ROUNDEL_EXIT_ON_UNCAUGHT`. Empty values count as unset. Fails naming the bad variable.
 */
export function securityFromEnv(env: Env): Result<EnvSecurity> {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]?.trim());
  const result: EnvSecurity = { exitOnUncaught: ['1', 'true', 'yes'].includes(get('ROUNDEL_EXIT_ON_UNCAUGHT') ?? '') };
  const number = (name: string, integer: boolean): Result<number | undefined> => {
    const text = get(name);
    if (text === undefined) return ok(undefined);
    const value = Number(text);
    const valid = /^\d+(\.\d+)?$/.test(text) && value > 0 && (!integer || Number.isSafeInteger(value));
    return valid ? ok(value) : fail(`${name} must be a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  };
  const previous = get('ROUNDEL_SECRET_PREVIOUS');
  if (previous !== undefined) result.previousSecrets = list(previous);
  const proxies = get('ROUNDEL_TRUSTED_PROXIES');
  if (proxies !== undefined) {
    try {
      result.trustedProxies = [...trustedProxySet(list(proxies))];
    } catch (error) {
      return fail(`ROUNDEL_TRUSTED_PROXIES: ${(error as Error).message.replace(/^trustedProxies: /, '')}`);
    }
  }
  const rate = get('ROUNDEL_HTTP_RATE_LIMIT');
  if (rate !== undefined) {
    const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(rate);
    if (rate.toLowerCase() === 'off') result.httpRateLimit = false;
    else if (match && Number(match[1]) > 0 && Number(match[2]) > 0) result.httpRateLimit = { burst: Number(match[1]), perSecond: Number(match[2]) };
    else return fail(`ROUNDEL_HTTP_RATE_LIMIT must be BURST/PER_SECOND (e.g. 200/100) or off, got '${rate}'`);
  }
  const numbers = [
    ['ROUNDEL_TOKEN_MAX_AGE_DAYS', 'tokenMaxAgeDays', false],
    ['ROUNDEL_MAX_CONNECTIONS_PER_IP', 'maxConnectionsPerIp', true],
    ['ROUNDEL_MAX_CONNECTIONS', 'maxConnections', true],
  ] as const;
  for (const [name, key, integer] of numbers) {
    const parsed = number(name, integer);
    if (!parsed.ok) return parsed;
    if (parsed.value !== undefined) result[key] = parsed.value;
  }
  return ok(result);
}
