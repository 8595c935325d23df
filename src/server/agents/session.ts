/**
 * One agent websocket: the first request must be `login { token }` (a wrong key is answered
 * `authentication` and the socket closes with 1008, so a console does not retry it); then the
 * agent's requests run one at a time and the endpoint's agent pushes flow in.
 */
import type { WebSocket } from 'ws';
import {
  CloseCode,
  parseAgentRequest,
  type AgentDisconnectReason,
  type AgentIdentity,
  type AgentPush,
  type AgentRequest,
  type AgentServerFrame,
  type RequestParseResult,
} from '../../protocol';
import type { LogFields, Logger } from '../logger';
import { TokenBucket, type RateLimit } from '../rate-limit';
import { Connection, type ConnectionOptions } from '../ws/connection';
import type { AgentDirectory, AgentLogin } from './directory';
import type { AgentPresence, AgentSink } from './presence';
import type { AgentService } from './service';

export interface AgentSessionOptions extends ConnectionOptions {
  /** Requests per connection (every agent request writes or reads the store). */
  rateLimit: RateLimit;
  /** `login` attempts per connection. */
  loginRateLimit: RateLimit;
}

export interface AgentSessionDeps {
  organization: string;
  directory: AgentDirectory;
  presence: AgentPresence;
  service: AgentService;
  logger: Logger;
}

export class AgentSession extends Connection<AgentRequest, AgentServerFrame> implements AgentSink {
  private login: AgentLogin | undefined;
  private readonly limiter: TokenBucket;
  private readonly loginLimiter: TokenBucket;

  constructor(
    ws: WebSocket,
    private readonly deps: AgentSessionDeps,
    options: AgentSessionOptions,
  ) {
    super(ws, options, deps.logger);
    this.limiter = new TokenBucket(options.rateLimit, Date.now());
    this.loginLimiter = new TokenBucket(options.loginRateLimit, Date.now());
  }

  get agent(): AgentIdentity {
    return this.login?.agent ?? { id: '', name: '' };
  }

  get endpoints(): ReadonlySet<string> {
    return this.login?.endpoints ?? new Set();
  }

  push(push: AgentPush): void {
    this.send(push);
  }

  /** Tells the agent why (`agent_disconnected`), then closes. */
  disconnect(reason: AgentDisconnectReason, code: number): void {
    if (this.login) this.send({ action: 'agent_disconnected', type: 'push', payload: { reason } });
    this.close(code, reason);
  }

  /** Forgets the connection everywhere (the socket closed). Idempotent. */
  override dispose(): void {
    super.dispose();
    this.deps.presence.remove(this);
  }

  protected parse(text: string): RequestParseResult<AgentRequest> {
    return parseAgentRequest(text);
  }

  protected bucketOf(request: AgentRequest): TokenBucket | undefined {
    if (request.action === 'ping') return undefined;
    return request.action === 'login' ? this.loginLimiter : this.limiter;
  }

  protected logFields(): LogFields {
    return { agent: this.login?.agent.id };
  }

  protected async run(request: AgentRequest): Promise<void> {
    if (request.action === 'login') return this.logIn(request);
    const login = this.login;
    if (!login) return this.sendError(request.request_id, request.action, 'authentication', 'log in first');
    return this.respond(request, () => this.answer(login, request));
  }

  private async logIn(request: Extract<AgentRequest, { action: 'login' }>): Promise<void> {
    const requestId = request.request_id;
    const login = this.deps.directory.authenticate(this.deps.organization, request.payload.token);
    if (!login) {
      this.deps.logger.info('agent login refused', { organization: this.deps.organization });
      this.sendError(requestId, 'login', 'authentication', 'wrong agent key');
      return this.close(CloseCode.PolicyViolation, 'authentication');
    }
    if (this.login && this.login.agent.id !== login.agent.id) {
      return this.sendError(requestId, 'login', 'validation', 'this connection is logged in as another agent');
    }
    this.loggedIn();
    this.login = login;
    this.deps.presence.add(this);
    return this.respond(request, async () => ({ agent: login.agent, chats: await this.deps.service.listChats(login) }));
  }

  private async answer(login: AgentLogin, request: Exclude<AgentRequest, { action: 'login' }>): Promise<object> {
    const { service } = this.deps;
    switch (request.action) {
      case 'ping':
        return {};
      case 'list_chats': {
        const chats = await service.listChats(login);
        return { chats_summary: chats, found_chats: chats.length };
      }
      case 'get_chat':
        return service.getChat(login, request.payload.chat_id);
      case 'add_user_to_chat':
        await service.join(login, request.payload.chat_id);
        return {};
      case 'remove_user_from_chat':
        await service.leave(login, request.payload.chat_id);
        return {};
      case 'send_event':
        return { event_id: await service.say(login, request.payload.chat_id, request.payload.event.text) };
      case 'send_typing_indicator':
        await service.typing(login, request.payload.chat_id, request.payload.is_typing);
        return {};
      case 'transfer_chat':
        await service.transfer(login, request.payload.chat_id, request.payload.target.ids);
        return {};
      case 'deactivate_chat':
        await service.deactivate(login, request.payload.chat_id);
        return {};
      case 'mark_events_as_seen':
        await service.markSeen(login, request.payload.chat_id, request.payload.seen_up_to);
        return {};
    }
  }
}
