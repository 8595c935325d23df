/** Builds a ChatClient on the fakes and records everything it emits. */
import type { StoredPush } from '../../protocol';
import { createChatClient, type ChatClient } from '../chat-client';
import { createQueues } from '../queues';
import type { ChatClientEvents, ChatClientOptions, KeyValueStorage } from '../types';
import { FakeClock } from './fake-clock';
import { FakeServer } from './fake-server';
import { MemoryStorage } from './memory-storage';

export const STORAGE_KEY = 'roundel:acme:acme-demo';
export const URL = 'ws://127.0.0.1:8080/ws?organization=acme&endpoint=acme-demo';

type Recorded = { [K in keyof ChatClientEvents]: { type: K; event: ChatClientEvents[K]; at: number } }[keyof ChatClientEvents];

export interface Harness {
  clock: FakeClock;
  server: FakeServer;
  storage: KeyValueStorage;
}

/** A fresh clock, server and storage. */
export function setup(seed = 1): Harness & { storage: MemoryStorage } {
  const clock = new FakeClock(seed);
  return { clock, server: new FakeServer(clock), storage: new MemoryStorage() };
}

/** A client plus what it emitted. */
export class Probe {
  readonly client: ChatClient;
  readonly events: Recorded[] = [];
  readonly logs: { level: string; message: string }[] = [];

  /** `lazy`: the queues are left unattached, as in the widget's first load. */
  constructor(harness: Harness, { lazy = false, ...options }: Partial<ChatClientOptions> & { lazy?: boolean } = {}) {
    this.client = createChatClient({
      url: URL,
      storageKey: STORAGE_KEY,
      storage: harness.storage,
      WebSocket: harness.server.WebSocket,
      clock: harness.clock,
      getContext: () => ({ page: '/pricing' }),
      logger: (level, message) => this.logs.push({ level, message }),
      ...options,
    });
    if (!lazy) this.client.attachQueues(createQueues);
    const types: (keyof ChatClientEvents)[] = ['state', 'conversation', 'push', 'typing', 'settings', 'outbox', 'error'];
    for (const type of types) {
      this.client.on(type, (event) => this.events.push({ type, event, at: harness.clock.now() } as Recorded));
    }
  }

  /** The chat of the last `conversation` event; undefined before the first login. */
  get chatId(): string | undefined {
    return this.of('conversation').at(-1)?.chatId;
  }

  of<K extends keyof ChatClientEvents>(type: K): ChatClientEvents[K][] {
    return this.events.filter((e) => e.type === type).map((e) => e.event as ChatClientEvents[K]);
  }

  /** The transcript the page would show: the last conversation's history, then the pushes after it. */
  transcript(): StoredPush[] {
    let shown: StoredPush[] = [];
    for (const recorded of this.events) {
      if (recorded.type === 'conversation') shown = [...recorded.event.history];
      if (recorded.type === 'push') shown.push(recorded.event);
    }
    return shown;
  }

  seqs(): number[] {
    return this.transcript().map((push) => push.payload.seq);
  }
}
