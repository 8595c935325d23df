/**
 * The console's agent websocket, built from the widget's own connection pieces (transport with
 * heartbeat and full-jitter backoff, named timers, pending requests): logs in with the agent key
 * on every (re)connect, and reports its state, the login, pushes and failures as events.
 */
import {
  backoffDelay,
  createPendingRequests,
  createTimers,
  createTransport,
  SafeEmitter,
  systemClock,
  type Clock,
  type PendingRequests,
  type Transport,
  type WebSocketFactory,
} from '../client';
import {
  parseAgentLogin,
  parseAgentServerFrame,
  type AgentChatSummary,
  type AgentIdentity,
  type AgentPush,
  type AgentRequestAction,
  type AgentRequestPayloads,
  type AgentServerFrame,
  type ErrorBody,
  type JsonObject,
} from '../protocol';

/** `refused`: the key was wrong (no retry); `closed`: logged out. */
export type AgentConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'refused' | 'closed';

export type AgentConnectionEvents = {
  state: AgentConnectionState;
  /** After each successful login (first connect and every reconnect): resync from it. */
  login: { agent: AgentIdentity; chats: AgentChatSummary[] };
  push: AgentPush;
  error: ErrorBody;
};

export interface AgentConnectionOptions {
  /** `ws(s)://HOST/agent/rtm?organization=ORG`. */
  url: string;
  key: string;
  WebSocket: WebSocketFactory;
  clock?: Clock;
}

export class AgentConnection {
  readonly events = new SafeEmitter<AgentConnectionEvents>(() => {});
  #state: AgentConnectionState = 'idle';
  readonly #transport: Transport;
  readonly #requests: PendingRequests;

  constructor(private readonly options: AgentConnectionOptions) {
    const clock = options.clock ?? systemClock;
    const timers = createTimers(clock);
    this.#requests = createPendingRequests(timers, 10_000);
    this.#transport = createTransport<AgentServerFrame>(
      {
        url: options.url,
        WebSocket: options.WebSocket,
        timers,
        logger: () => {},
        parse: parseAgentServerFrame,
        backoff: (attempt) => backoffDelay(attempt, 500, 20_000, () => clock.random()),
        nextRequestId: () => this.#requests.nextId(),
        pingIntervalMs: 15_000,
        deadPeerMs: 35_000,
      },
      {
        connecting: () => this.#setState(this.#state === 'idle' ? 'connecting' : 'reconnecting'),
        open: () => this.#logIn(),
        frame: (frame) => {
          if (frame.type === 'push') this.events.emit('push', frame);
          else this.#requests.settle(frame);
        },
        malformed: (reason) => this.events.emit('error', { type: 'internal', message: reason }),
        down: (_code, reason, final) => {
          this.#requests.failAll({ type: 'internal', message: `connection lost: ${reason}` });
          if (this.#state !== 'refused' && this.#state !== 'closed') this.#setState(final ? 'closed' : 'reconnecting');
        },
      },
    );
  }

  get state(): AgentConnectionState {
    return this.#state;
  }

  connect(): void {
    this.#transport.start();
  }

  /** Sends a request; resolves with the response payload, rejects with the error body. */
  request<A extends AgentRequestAction>(action: A, payload: AgentRequestPayloads[A]): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      const id = this.#requests.nextId();
      this.#requests.track(id, action, { ok: resolve, fail: reject });
      if (!this.#transport.send({ request_id: id, action, payload })) {
        this.#requests.settle({ request_id: id, success: false, error: { type: 'internal', message: 'not connected' } });
      }
    });
  }

  destroy(): void {
    this.#setState('closed');
    this.#requests.failAll({ type: 'internal', message: 'logged out' });
    this.#transport.stop();
  }

  #setState(state: AgentConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.events.emit('state', state);
  }

  #logIn(): void {
    this.request('login', { token: this.options.key }).then(
      (payload) => {
        const login = parseAgentLogin(payload);
        if (!login.ok) return this.events.emit('error', { type: 'internal', message: login.error });
        this.#transport.resetBackoff();
        this.#transport.startHeartbeat();
        this.#setState('ready');
        this.events.emit('login', login.value);
      },
      (error: ErrorBody) => {
        // The server closes the socket after a wrong key; stop here so nothing retries it.
        if (error.type === 'authentication') {
          this.#setState('refused');
          this.#transport.stop();
        }
        this.events.emit('error', error);
      },
    );
  }
}
