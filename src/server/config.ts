/**
 * The config file (CONTRACT §1): parsed from `unknown` with a message naming the bad field, e.g.
 * `config: endpoints[0].allowedOrigins[1] must be an origin like https://example.com`, then each
 * endpoint's bot module is imported (paths relative to the config file).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fail, isObject, ok, type Result } from '../protocol';
import type { EndpointConfig } from './endpoints';
import { BOT_HANDLERS, type Bot } from './runtime/types';

/** One endpoint as written in the file (`bot` is still a path; `apiKey` is resolved). */
export interface EndpointFileConfig {
  organization: string;
  endpoint: string;
  bot: string;
  allowedOrigins: string[];
  apiKey?: string;
  /** A string, or one per language tag (`{ "en": "Help", "es": "Ayuda" }`). */
  title?: Localized;
  subtitle?: Localized;
  theme?: Record<string, string>;
}

/** A text given once, or per language tag. */
export type Localized = string | Record<string, string>;

/** How much of each chat's outbound log is kept (see docs/protocol.md, "Retention"). */
export interface RetentionConfig {
  /** Newest pushes kept per chat. */
  maxEvents?: number;
  /** Pushes older than this many days are dropped. */
  maxAgeDays?: number;
}

export interface RoundelConfig {
  endpoints: EndpointFileConfig[];
  retention?: RetentionConfig;
}

/** A loaded config: bots imported, keys resolved. */
export interface LoadedConfig {
  endpoints: EndpointConfig[];
  retention?: RetentionConfig;
}

/** A config that cannot be used; `message` names the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
/** A BCP 47 language tag, loosely: `en`, `pt-BR`, `zh-Hant-TW`. */
const LANG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
const KEYS = ['organization', 'endpoint', 'bot', 'allowedOrigins', 'apiKey', 'title', 'subtitle', 'theme'];

/** True for `scheme://host[:port]` with nothing after it (what a browser sends as `Origin`). */
export function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function parseEndpoint(raw: unknown, at: string, env: Env): Result<EndpointFileConfig> {
  if (!isObject(raw)) return fail(`${at} must be an object`);
  const unknown = Object.keys(raw).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) return fail(`${at}.${unknown} is not a known field (expected one of ${KEYS.join(', ')})`);
  for (const key of ['organization', 'endpoint'] as const) {
    const value = raw[key];
    if (typeof value !== 'string' || !NAME.test(value)) {
      return fail(`${at}.${key} must be 1-100 letters, digits, '.', '_' or '-'`);
    }
  }
  if (typeof raw.bot !== 'string' || raw.bot === '') return fail(`${at}.bot must be a path to a bot module`);
  const origins = raw.allowedOrigins;
  if (!Array.isArray(origins)) return fail(`${at}.allowedOrigins must be an array of origins`);
  const bad = origins.findIndex((origin) => !isOrigin(origin));
  if (bad >= 0) return fail(`${at}.allowedOrigins[${bad}] must be an origin like https://example.com`);
  let apiKey: string | undefined;
  if (raw.apiKey !== undefined) {
    if (typeof raw.apiKey !== 'string' || raw.apiKey === '') return fail(`${at}.apiKey must be a non-empty string or "env:NAME"`);
    const ref = ENV_REF.exec(raw.apiKey);
    apiKey = ref ? env[ref[1] ?? ''] : raw.apiKey;
    if (apiKey === undefined || apiKey === '') return fail(`${at}.apiKey reads the environment variable ${ref?.[1]}, which is not set`);
  }
  for (const key of ['title', 'subtitle'] as const) {
    const value = raw[key];
    if (value === undefined || typeof value === 'string') continue;
    const entries = isObject(value) ? Object.entries(value) : [];
    if (entries.length === 0 || entries.some(([lang, text]) => !LANG.test(lang) || typeof text !== 'string')) {
      return fail(`${at}.${key} must be a string or an object of strings by language tag, like {"en": "Help", "es": "Ayuda"}`);
    }
  }
  const theme = raw.theme;
  if (theme !== undefined) {
    if (!isObject(theme)) return fail(`${at}.theme must be an object of colour strings`);
    const badKey = Object.keys(theme).find((key) => typeof theme[key] !== 'string');
    if (badKey !== undefined) return fail(`${at}.theme.${badKey} must be a string`);
  }
  return ok({
    organization: raw.organization as string,
    endpoint: raw.endpoint as string,
    bot: raw.bot,
    allowedOrigins: origins as string[],
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(raw.title === undefined ? {} : { title: raw.title as Localized }),
    ...(raw.subtitle === undefined ? {} : { subtitle: raw.subtitle as Localized }),
    ...(theme === undefined ? {} : { theme: theme as Record<string, string> }),
  });
}

function parseRetention(raw: unknown): Result<RetentionConfig> {
  if (!isObject(raw)) return fail('retention must be an object');
  const unknown = Object.keys(raw).find((key) => key !== 'maxEvents' && key !== 'maxAgeDays');
  if (unknown !== undefined) return fail(`retention.${unknown} is not a known field (expected maxEvents, maxAgeDays)`);
  const retention: RetentionConfig = {};
  for (const key of ['maxEvents', 'maxAgeDays'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      return fail(`retention.${key} must be a positive integer`);
    }
    retention[key] = value;
  }
  return ok(retention);
}

/** Validates a parsed config file. `env` resolves `"apiKey": "env:NAME"`. */
export function parseConfig(raw: unknown, env: Env = {}): Result<RoundelConfig> {
  const prefix = (error: string) => fail<RoundelConfig>(`config: ${error}`);
  if (!isObject(raw)) return prefix('the file must hold a JSON object');
  const extra = Object.keys(raw).find((key) => key !== 'endpoints' && key !== 'retention');
  if (extra !== undefined) return prefix(`${extra} is not a known field (expected endpoints, retention)`);
  if (!Array.isArray(raw.endpoints) || raw.endpoints.length === 0) {
    return prefix('endpoints must be a non-empty array');
  }
  const endpoints: EndpointFileConfig[] = [];
  for (const [index, entry] of raw.endpoints.entries()) {
    const parsed = parseEndpoint(entry, `endpoints[${index}]`, env);
    if (!parsed.ok) return prefix(parsed.error);
    const first = endpoints.findIndex((e) => e.endpoint === parsed.value.endpoint);
    if (first >= 0) {
      return prefix(`endpoints[${index}].endpoint '${parsed.value.endpoint}' is already used by endpoints[${first}]`);
    }
    endpoints.push(parsed.value);
  }
  if (raw.retention === undefined) return ok({ endpoints });
  const retention = parseRetention(raw.retention);
  if (!retention.ok) return prefix(retention.error);
  return ok({ endpoints, retention: retention.value });
}

/** Imports a bot module and checks its default export. */
export async function loadBot(path: string, at: string): Promise<Bot> {
  let module: unknown;
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new ConfigError(`config: ${at}.bot: cannot load ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bot = isObject(module) ? module.default : undefined;
  const valid =
    isObject(bot) && BOT_HANDLERS.every((handler) => bot[handler] === undefined || typeof bot[handler] === 'function');
  if (!valid) {
    throw new ConfigError(
      `config: ${at}.bot (${path}) must default-export an object whose ${BOT_HANDLERS.join('/')} are functions`,
    );
  }
  return bot as Bot;
}

/**
 * Reads, validates and loads a config file: endpoints with their bots imported, and retention.
 * @throws ConfigError with a message naming the bad field.
 */
export async function loadConfig(file: string, env: Env = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`config: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config: ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = parseConfig(raw, env);
  if (!parsed.ok) throw new ConfigError(parsed.error);
  const dir = dirname(resolve(file));
  const endpoints = await Promise.all(
    parsed.value.endpoints.map(async (entry, index) => ({
      ...entry,
      bot: await loadBot(resolve(dir, entry.bot), `endpoints[${index}]`),
    })),
  );
  return parsed.value.retention === undefined ? { endpoints } : { endpoints, retention: parsed.value.retention };
}
