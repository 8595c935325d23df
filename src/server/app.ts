/** The parts of one running server, wired once by {@link createServer} and passed to the http and ws layers. */
import type { ChatService } from './chat/service';
import type { Hub } from './chat/hub';
import type { EndpointRegistry } from './endpoints';
import type { Logger } from './logger';
import type { ServerMetrics } from './metrics';
import type { PushbackService } from './runtime/pushbacks';
import type { BotRuntime } from './runtime/runtime';
import type { Store } from './store/types';
import type { TokenSigner } from './token';
import type { AgentSide } from './agents';
import type { FileUrlSigner } from './files/urls';

export interface App {
  store: Store;
  hub: Hub;
  chats: ChatService;
  runtime: BotRuntime;
  pushbacks: PushbackService;
  endpoints: EndpointRegistry;
  metrics: ServerMetrics;
  logger: Logger;
  /** Signs and verifies session tokens (current and previous secrets, maximum age). */
  tokens: TokenSigner;
  /** The configured public URL, or one derived from the listening address; no trailing slash. */
  publicUrl(): string;
  /** The configured public URL's origin, when one was configured. */
  configuredOrigin: string | undefined;
  /** Signs and checks visitor file URLs (files/urls.ts). */
  fileUrls: FileUrlSigner;
  /** This node's name (`--node-id`), shown by `/healthz`. */
  nodeId: string;
  /** False when the database cannot be reached (`/healthz` answers 503). */
  healthy(): Promise<boolean>;
  /** The agent side (docs/agent-api.md), set once at wiring. */
  agents?: AgentSide;
}
