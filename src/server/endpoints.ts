/**
 * Endpoints (bot deployments): who may embed them (origins), which key manages them, which bot
 * answers, and the settings the widget shows.
 */
import type { ChatSettings } from '../protocol';
import type { AgentConfig, Localized, WebhookConfig } from './config';
import { constantTimeEqual } from './token';
import { BOT_HANDLERS, type Bot } from './runtime/types';

/** One endpoint as given to {@link createServer} (the config file's entries, with the bot loaded). */
export interface EndpointConfig {
  organization: string;
  /** Unique server-wide; it is the bot's `botId`. */
  endpoint: string;
  bot: Bot;
  /** Origins (e.g. `https://shop.example.com`) whose pages may embed the widget. */
  allowedOrigins: string[];
  /** Authorizes the management API for this endpoint; without one the API refuses every call. */
  apiKey?: string;
  /** Widget header title: a string, or one per language tag (the widget picks its `lang`). Default "Chat". */
  title?: Localized;
  subtitle?: Localized;
  /** Widget colours, e.g. `{ primary: '#0b5fff' }`. */
  theme?: Record<string, string>;
  /** Keys the HMAC-SHA256 of a verified visitor's `user.id`; without it every `user` is refused. */
  identitySecret?: string;
  /** The people who may log in to the agent side for this endpoint. Default none. */
  agents?: AgentConfig[];
  /** Receivers of the agent-side pushes. Default none. */
  webhooks?: WebhookConfig[];
}

/** A validated endpoint as the server uses it. */
export interface Endpoint {
  organization: string;
  endpoint: string;
  bot: Bot;
  allowedOrigins: ReadonlySet<string>;
  apiKey: string | undefined;
  settings: ChatSettings;
  identitySecret: string | undefined;
  agents: readonly Readonly<AgentConfig>[];
  webhooks: readonly Readonly<WebhookConfig>[];
}

/** Looks endpoints up by name, by (organization, name) and by API key. */
export class EndpointRegistry {
  private readonly byName = new Map<string, Endpoint>();

  /** @throws TypeError naming the endpoint when a config is invalid or a name repeats. */
  constructor(configs: readonly EndpointConfig[]) {
    for (const endpoint of EndpointRegistry.validate(configs)) this.byName.set(endpoint.endpoint, endpoint);
  }

  /**
   * Applies a reloaded config (SIGHUP): each endpoint already known is updated in place, so
   * sessions and handlers holding it see the new origins, keys, agents and settings; new ones
   * are added. An endpoint no longer in the config stays until a restart (its open chats go on).
   * Nothing changes when the config is invalid (the TypeError says why). Returns the endpoints
   * whose widget settings changed, for `chat_properties_updated`.
   */
  reload(configs: readonly EndpointConfig[]): Endpoint[] {
    const changed: Endpoint[] = [];
    for (const fresh of EndpointRegistry.validate(configs)) {
      const current = this.byName.get(fresh.endpoint);
      if (!current) {
        this.byName.set(fresh.endpoint, fresh);
        continue;
      }
      const settingsChanged = JSON.stringify(current.settings) !== JSON.stringify(fresh.settings);
      Object.assign(current, fresh);
      if (settingsChanged) changed.push(current);
    }
    return changed;
  }

  private static validate(configs: readonly EndpointConfig[]): Endpoint[] {
    const byName = new Map<string, Endpoint>();
    for (const config of configs) {
      const name = config.endpoint;
      if (byName.has(name)) throw new TypeError(`endpoint '${name}' is configured twice`);
      const bot: unknown = config.bot;
      if (typeof bot !== 'object' || bot === null) throw new TypeError(`endpoint '${name}': bot must be an object`);
      for (const handler of BOT_HANDLERS) {
        const value: unknown = (bot as Record<string, unknown>)[handler];
        if (value !== undefined && typeof value !== 'function') {
          throw new TypeError(`endpoint '${name}': bot.${handler} must be a function`);
        }
      }
      byName.set(name, {
        organization: config.organization,
        endpoint: name,
        bot: config.bot,
        allowedOrigins: new Set(config.allowedOrigins),
        apiKey: config.apiKey === '' ? undefined : config.apiKey,
        settings: settingsOf(config),
        identitySecret: config.identitySecret === '' ? undefined : config.identitySecret,
        agents: (config.agents ?? []).map((agent) => ({ ...agent })),
        webhooks: (config.webhooks ?? []).map((hook) => ({ ...hook, actions: [...hook.actions] })),
      });
    }
    return [...byName.values()];
  }

  get(name: string): Endpoint | undefined {
    return this.byName.get(name);
  }

  /** The endpoint only when both organization and name match. */
  find(organization: string, name: string): Endpoint | undefined {
    const endpoint = this.byName.get(name);
    return endpoint && endpoint.organization === organization ? endpoint : undefined;
  }

  /** The endpoint whose API key equals `key`. Every key is compared, in constant time. */
  byApiKey(key: string): Endpoint | undefined {
    let found: Endpoint | undefined;
    for (const endpoint of this.byName.values()) {
      if (endpoint.apiKey !== undefined && constantTimeEqual(endpoint.apiKey, key)) found ??= endpoint;
    }
    return found;
  }

  all(): Endpoint[] {
    return [...this.byName.values()];
  }
}

/**
 * The settings the widget receives. A translated title or subtitle travels as its map
 * (`titles`, `subtitles`) plus a plain `title` / `subtitle` for widgets that do not translate:
 * the English text, else the first one given.
 */
function settingsOf(config: EndpointConfig): ChatSettings {
  const settings: ChatSettings = { title: 'Chat', theme: { ...config.theme } };
  for (const [key, mapKey] of [['title', 'titles'], ['subtitle', 'subtitles']] as const) {
    const value = config[key];
    if (typeof value === 'string') settings[key] = value;
    else if (value) {
      settings[key] = value.en ?? Object.values(value)[0] ?? '';
      settings[mapKey] = { ...value };
    }
  }
  return settings;
}
