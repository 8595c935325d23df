/**
 * One agent websocket: the first request must be `login { token }` (a wrong key is answered
 * `authentication` and the socket closes with 1008, so a console does not retry it); then the
 * agent's requests run one at a time and the endpoint's agent pushes flow in.
 */
import type { RawData, WebSocket } from 'ws';
import {
  CloseCode,
  parseAgentRequest,
  type AgentDisconnectReason,
  type AgentIdentity,
  type AgentPush,
  type AgentRequest,
  type AgentServerFrame,
  type ErrorType,
} from '../../protocol';
import { errorFields, type Logger } from '../logger';
import { TokenBucket, type RateLimit } from '../rate-limit';
import type { AgentDirectory, AgentLogin } from './directory';
import type { AgentPresence, AgentSink } from './presence';
import { AgentError, type AgentService } from './service';

export interface AgentSessionOptions {
  /** Close (4001) a connection that has not logged in by then. */
  loginTimeoutMs: number;
  /** Requests per connection (every agent request writes or reads the store). */
  rateLimit: RateLimit;
  /** `login` attempts per connection. */
  loginRateLimit: RateLimit;
  /** Close (4003) when the socket's unsent bytes pass this. */
  maxBufferedBytes: number;
  /** Requests waiting for their turn; more are refused with `too_many_requests`. */
  maxQueued: number;
  closeGraceMs: number;
}

export interface AgentSessionDeps {
  organization: string;
  directory: AgentDirectory;
  presence: AgentPresence;
  service: AgentService;
  logger: Logger;
}

export class AgentSession implements AgentSink {
  lastSeen = Date.now();
  private login: AgentLogin | undefined;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private readonly limiter: TokenBucket;
  private readonly loginLimiter: TokenBucket;
  private readonly loginTimer: NodeJS.Timeout;

  constructor(
    readonly ws: WebSocket,
    private readonly deps: AgentSessionDeps,
    private readonly options: AgentSessionOptions,
  ) {
    this.limiter = new TokenBucket(options.rateLimit, Date.now());
    this.loginLimiter = new TokenBucket(options.loginRateLimit, Date.now());
    this.loginTimer = setTimeout(() => this.close(CloseCode.LoginTimeout, 'login timeout'), options.loginTimeoutMs);
  }

  get agent(): AgentIdentity {
    return this.login?.agent ?? { id: '', name: '' };
  }

  get endpoints(): ReadonlySet<string> {
    return this.login?.endpoints ?? new Set();
  }

  /** Handles one incoming frame. Never throws. */
  onFrame(data: RawData, isBinary: boolean): void {
    this.lastSeen = Date.now();
    if (isBinary) return this.sendError('', '', 'validation', 'binary frames are not supported');
    const parsed = parseAgentRequest(data.toString());
    if (!parsed.ok) return this.sendError(parsed.request_id ?? '', parsed.action ?? '', 'validation', parsed.error);
    const request = parsed.value;
    if (this.queued >= this.options.maxQueued) {
      return this.sendError(request.request_id, request.action, 'too_many_requests', 'too many requests in flight');
    }
    const bucket = request.action === 'login' ? this.loginLimiter : request.action === 'ping' ? undefined : this.limiter;
    if (bucket && bucket.take(Date.now()) > 0) return this.sendError(request.request_id, request.action, 'too_many_requests', 'slow down');
    this.queued += 1;
    this.queue = this.queue
      .then(() => this.run(request))
      .catch((error: unknown) => this.deps.logger.error('agent request failed', errorFields(error)))
      .finally(() => {
        this.queued -= 1;
      });
  }

  push(push: AgentPush): void {
    this.send(push);
  }

  /** Tells the agent why (`agent_disconnected`), then closes. */
  disconnect(reason: AgentDisconnectReason, code: number): void {
    if (this.login) this.send({ action: 'agent_disconnected', type: 'push', payload: { reason } });
    this.close(code, reason);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    setTimeout(() => {
      if (this.ws.readyState !== this.ws.CLOSED) this.ws.terminate();
    }, this.options.closeGraceMs).unref();
    this.dispose();
  }

  /** Forgets the connection everywhere (the socket closed). Idempotent. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.loginTimer);
    this.deps.presence.remove(this);
  }

  private send(frame: AgentServerFrame): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
    if (this.ws.bufferedAmount > this.options.maxBufferedBytes) {
      this.deps.logger.warn('closing a slow agent connection', { agent: this.login?.agent.id });
      this.close(CloseCode.SlowConsumer, 'slow consumer');
    }
  }

  private sendError(requestId: string, action: string, type: ErrorType, message: string): void {
    this.send({ request_id: requestId, action, type: 'response', success: false, error: { type, message } });
  }

  private async run(request: AgentRequest): Promise<void> {
    if (this.closed) return;
    const { request_id: requestId, action } = request;
    if (action === 'login') return this.logIn(requestId, request.payload.token);
    const login = this.login;
    if (!login) return this.sendError(requestId, action, 'authentication', 'log in first');
    try {
      const payload = await this.answer(login, request);
      this.send({ request_id: requestId, action, type: 'response', success: true, payload } as AgentServerFrame);
    } catch (error) {
      if (error instanceof AgentError) return this.sendError(requestId, action, error.type, error.message);
      this.deps.logger.error('agent action failed', { action, ...errorFields(error) });
      this.sendError(requestId, action, 'internal', 'internal server error');
    }
  }

  private async logIn(requestId: string, token: string): Promise<void> {
    const login = this.deps.directory.authenticate(this.deps.organization, token);
    if (!login) {
      this.deps.logger.info('agent login refused', { organization: this.deps.organization });
      this.sendError(requestId, 'login', 'authentication', 'wrong agent key');
      return this.close(CloseCode.PolicyViolation, 'authentication');
    }
    if (this.login && this.login.agent.id !== login.agent.id) {
      return this.sendError(requestId, 'login', 'validation', 'this connection is logged in as another agent');
    }
    clearTimeout(this.loginTimer);
    this.login = login;
    this.deps.presence.add(this);
    try {
      const chats = await this.deps.service.listChats(login);
      this.send({ request_id: requestId, action: 'login', type: 'response', success: true, payload: { agent: login.agent, chats } });
    } catch (error) {
      this.deps.logger.error('agent login failed', errorFields(error));
      this.sendError(requestId, 'login', 'internal', 'internal server error');
    }
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
