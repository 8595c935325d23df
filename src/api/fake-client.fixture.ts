/** A scriptable stand-in for ChatClient (api tests only; never bundled). */
import mitt from 'mitt';
import type { ChatClientEvents, ChatClientOptions, ConnectionState, OutboxItem, QueuesFactory } from '../client';
import type { JsonObject } from '../protocol';
import { createInit } from './init';
import type { ChatClientLike, MessengerDeps } from './deps';
import { LAZY } from './lazy.fixture';

export class FakeClient implements ChatClientLike {
  readonly bus = mitt<ChatClientEvents>();
  state: ConnectionState = 'idle';
  outboxItems: OutboxItem[] = [];
  readonly calls: { method: string; args: unknown[] }[] = [];
  /** What pageEvent / updateContext / startNewChat return; replace to script a refusal. */
  result: () => Promise<void> = () => Promise.resolve();
  private next = 0;

  constructor(readonly options: ChatClientOptions) {}

  on<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void) {
    this.bus.on(type, handler);
  }
  off<K extends keyof ChatClientEvents>(type: K, handler: (event: ChatClientEvents[K]) => void) {
    this.bus.off(type, handler);
  }
  /** Raises a client event, as the real client would. */
  emit<K extends keyof ChatClientEvents>(type: K, event: ChatClientEvents[K]) {
    this.bus.emit(type, event);
  }
  /** The number of handlers subscribed across all client events. */
  get listenerCount(): number {
    return [...this.bus.all.values()].reduce((sum, list) => sum + list.length, 0);
  }

  private record(method: string, ...args: unknown[]) {
    this.calls.push({ method, args });
  }
  /** The fake has its queues from the start: `attachQueues` only notes that the lazy chunk handed them over. */
  readonly needsQueues = false;
  queuesAttached = false;
  attachQueues(_create: QueuesFactory) {
    this.queuesAttached = true;
  }
  connect() {
    this.record('connect');
    this.state = 'connecting';
  }
  /** The fake's queues, there from the start until destroy(); their calls are recorded under their own names. */
  get queues(): ChatClientLike['queues'] {
    if (this.state === 'closed') return undefined;
    return {
      sendMessage: (text: string): OutboxItem => {
        this.record('sendMessage', text);
        const item: OutboxItem = { kind: 'message', customId: `c${++this.next}`, text, createdAt: 'now' };
        this.outboxItems = [...this.outboxItems, item];
        return item;
      },
      sendPostback: (eventId: string, text: string, title?: string): OutboxItem => {
        this.record('sendPostback', eventId, text, ...(title === undefined ? [] : [title]));
        const item: OutboxItem = { kind: 'postback', customId: `c${++this.next}`, eventId, text, ...(title === undefined ? {} : { title }), createdAt: 'now' };
        this.outboxItems = [...this.outboxItems, item];
        return item;
      },
      draft: (text: string) => this.record('draft', text),
      page: (page: unknown) => this.record('page', page),
    };
  }
  pageEvent(alias: string, body?: JsonObject) {
    this.record('pageEvent', alias, body);
    return this.result();
  }
  updateContext(context: JsonObject) {
    this.record('updateContext', context);
    return this.result();
  }
  startNewChat() {
    this.record('startNewChat');
    return this.result();
  }
  destroy() {
    this.record('destroy');
    // Unlike the real client, keeps its listeners: tests check that the api unsubscribed itself.
    this.state = 'closed';
  }
  onOnline() {
    this.record('onOnline');
  }
  onOffline() {
    this.record('onOffline');
  }
}

/** An `init` over the test window whose clients are FakeClients, listed in `clients`; the lazy chunk is `LAZY` unless `loadPanel` says otherwise. */
export function fakeInit(defaultServerUrl = 'https://chat.example.com', loadPanel: MessengerDeps['loadPanel'] = () => LAZY) {
  const clients: FakeClient[] = [];
  const deps: MessengerDeps = {
    window,
    defaultServerUrl: () => defaultServerUrl,
    loadPanel,
    createClient: (options) => {
      const client = new FakeClient(options);
      clients.push(client);
      return client;
    },
  };
  return { init: createInit(deps), clients };
}
