/**
 * The config file (README "Config file"; its JSON Schema is docs/config.schema.json): parsed from
 * `unknown` with a message naming the bad field, e.g.
 * `config: endpoints[0].allowedOrigins[1] must be an origin like https://example.com`, then each
 * endpoint's bot module is imported (paths relative to the config file).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import schema from '../../docs/config.schema.json';
import { fail, isObject, ok, type Result } from '../protocol';
import { checkConfigShape } from './config-schema';
import type { EndpointConfig } from './endpoints';

export { isOrigin } from './config-schema';
import { BOT_HANDLERS, type Bot } from './runtime/types';

/** One endpoint as written in the file (`bot` is still a path; every `env:NAME` is resolved). */
export interface EndpointFileConfig {
  organization: string;
  endpoint: string;
  bot: string;
  allowedOrigins: string[];
  apiKey?: string;
  /** Keys the HMAC-SHA256 that verifies a visitor's `user.hash` (docs/http-api.md, "Verified visitors"). */
  identitySecret?: string;
  /** A string, or one per language tag (`{ "en": "Help", "es": "Ayuda" }`). */
  title?: Localized;
  subtitle?: Localized;
  theme?: Record<string, string>;
  /** The people who may log in to the agent side for this endpoint (docs/agent-api.md). */
  agents?: AgentConfig[];
  /** Receivers of the agent-side pushes (docs/http-api.md, "Webhooks"). */
  webhooks?: WebhookConfig[];
}

/** An agent of an endpoint: `key` is the login token (compared in constant time). */
export interface AgentConfig {
  /** Unique within the endpoint, e.g. `alice@example.com`. */
  id: string;
  /** Shown to visitors on the agent's messages. */
  name: string;
  key: string;
}

/** A webhook receiver: each listed action is POSTed, signed with `secret`. */
export interface WebhookConfig {
  url: string;
  secret: string;
  actions: WebhookAction[];
}

/** The agent-side pushes a webhook may carry (the `enum` of docs/config.schema.json). */
export const WEBHOOK_ACTIONS = schema.definitions.webhook.properties.actions.items.enum as readonly WebhookAction[];

export type WebhookAction =
  | 'incoming_chat_thread'
  | 'incoming_event'
  | 'incoming_typing_indicator'
  | 'incoming_sneak_peek'
  | 'chat_properties_updated'
  | 'chat_user_added'
  | 'chat_user_removed'
  | 'chat_transferred'
  | 'thread_closed'
  | 'customer_visit_started'
  | 'customer_visit_ended'
  | 'customer_page_updated'
  | 'last_seen_timestamp_updated'
  | 'incoming_multicast'
  | 'agent_disconnected';

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

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

type Env = Readonly<Record<string, string | undefined>>;

/** A secret as written (`"env:NAME"` or the value itself), resolved; fails naming the field. */
function resolveSecret(value: string, at: string, env: Env): Result<string> {
  const ref = ENV_REF.exec(value);
  if (!ref) return ok(value);
  const name = ref[1] ?? '';
  const resolved = env[name];
  return resolved === undefined || resolved === ''
    ? fail(`${at} reads the environment variable ${name}, which is not set`)
    : ok(resolved);
}

/**
 * Resolves an endpoint's secrets and checks what its schema cannot: agent ids unique. `raw` has
 * passed the schema, so its shape is known.
 */
function resolveEndpoint(raw: EndpointFileConfig, at: string, env: Env): Result<EndpointFileConfig> {
  const entry: EndpointFileConfig = { ...raw };
  for (const key of ['apiKey', 'identitySecret'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    const resolved = resolveSecret(value, `${at}.${key}`, env);
    if (!resolved.ok) return resolved;
    entry[key] = resolved.value;
  }
  if (raw.agents) {
    const agents: AgentConfig[] = [];
    for (const [index, agent] of raw.agents.entries()) {
      const first = agents.findIndex((a) => a.id === agent.id);
      if (first >= 0) return fail(`${at}.agents[${index}].id '${agent.id}' is already used by ${at}.agents[${first}]`);
      const key = resolveSecret(agent.key, `${at}.agents[${index}].key`, env);
      if (!key.ok) return key;
      agents.push({ id: agent.id, name: agent.name, key: key.value });
    }
    entry.agents = agents;
  }
  if (raw.webhooks) {
    const webhooks: WebhookConfig[] = [];
    for (const [index, hook] of raw.webhooks.entries()) {
      const secret = resolveSecret(hook.secret, `${at}.webhooks[${index}].secret`, env);
      if (!secret.ok) return secret;
      webhooks.push({ url: hook.url, secret: secret.value, actions: [...hook.actions] });
    }
    entry.webhooks = webhooks;
  }
  return ok(entry);
}

/**
 * Agents log in per organization with their key alone, so within an organization one key must
 * name one agent (the same agent may serve several endpoints with one key).
 */
function agentKeyClash(endpoints: readonly EndpointFileConfig[]): string | undefined {
  const seen = new Map<string, { id: string; at: string }>();
  for (const [e, endpoint] of endpoints.entries()) {
    for (const [a, agent] of (endpoint.agents ?? []).entries()) {
      const at = `endpoints[${e}].agents[${a}]`;
      const slot = `${endpoint.organization}\u0000${agent.key}`;
      const first = seen.get(slot);
      if (first && first.id !== agent.id) {
        return `${at}.key is already the key of agent '${first.id}' (${first.at}) in organization '${endpoint.organization}': agents log in with their key alone`;
      }
      if (!first) seen.set(slot, { id: agent.id, at });
    }
  }
  return undefined;
}

/**
 * Validates a parsed config file against docs/config.schema.json, then resolves `"env:NAME"`
 * secrets from `env` and checks that endpoint names (server-wide) and agent ids (per endpoint)
 * are unique. Errors start with `config: ` and name the field.
 */
export function parseConfig(raw: unknown, env: Env = {}): Result<RoundelConfig> {
  const prefix = (error: string) => fail<RoundelConfig>(`config: ${error}`);
  const shape = checkConfigShape(raw);
  if (!shape.ok) return prefix(shape.error);
  const file = raw as RoundelConfig;
  const endpoints: EndpointFileConfig[] = [];
  for (const [index, entry] of file.endpoints.entries()) {
    const first = endpoints.findIndex((e) => e.endpoint === entry.endpoint);
    if (first >= 0) return prefix(`endpoints[${index}].endpoint '${entry.endpoint}' is already used by endpoints[${first}]`);
    const resolved = resolveEndpoint(entry, `endpoints[${index}]`, env);
    if (!resolved.ok) return prefix(resolved.error);
    endpoints.push(resolved.value);
  }
  const clash = agentKeyClash(endpoints);
  if (clash !== undefined) return prefix(clash);
  return ok(file.retention === undefined ? { endpoints } : { endpoints, retention: { ...file.retention } });
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
