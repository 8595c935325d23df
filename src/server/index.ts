/**
 * The Node backend of Roundel: http + websocket server, endpoints and origins, bot runtime,
 * pushgate, management API and the SQLite store.
 * @module server
 */
export { createServer, type RoundelServer, type ServerOptions } from './server';
export type { EndpointConfig } from './endpoints';
export type { Bot, BotContext, BotFile, BotRequest, BotRequestType, Pushback, Pushgate, SayOptions } from './runtime/types';
export { createJsonLogger, errorFields, isLogLevel, silentLogger, type Logger, type LogFields, type LogLevel, type LogThreshold } from './logger';
export { findPackageRoot } from './package-root';
export { securityFromEnv, type EnvSecurity } from './security/options';
export { installProcessGuard } from './security/process-guard';
export {
  ConfigError,
  loadConfig,
  parseConfig,
  WEBHOOK_ACTIONS,
  type AgentConfig,
  type EndpointFileConfig,
  type LoadedConfig,
  type RetentionConfig,
  type RoundelConfig,
  type WebhookAction,
  type WebhookConfig,
} from './config';
export type { Retention } from './store/types';
