import { afterEach, describe, expect, it } from 'vitest';
import type { Push, StoredPush } from '../../protocol';
import type { Subscriber } from '../chat/hub';
import { silentLogger } from '../logger';
import { ClusterHub, chatTopic, type LogTail } from './cluster-hub';
import { MemoryBroker } from './memory';

const CHAT = '7f0c5c9e-2a4b-4d1e-9a51-0c7a1a2b3c4d';

const note = (seq: number, chatId = CHAT): StoredPush => ({
  action: 'host_notification',
  type: 'push',
  payload: { chat_id: chatId, seq, message: `n${seq}` },
});
const typing: Push = {
  action: 'incoming_typing_indicator',
  type: 'push',
  payload: { chat_id: CHAT, typing_indicator: { author_id: 'bot', is_typing: true } },
};

/** The chat log as the database holds it (a stand-in for the store in this unit test). */
class FakeLog implements LogTail {
  readonly pushes = new Map<string, StoredPush[]>();
  /** Chats erased from the database; every other chat exists. */
  readonly erased = new Set<string>();
  readonly asked: string[][] = [];
  add(push: StoredPush): StoredPush {
    const list = this.pushes.get(push.payload.chat_id) ?? [];
    list.push(push);
    this.pushes.set(push.payload.chat_id, list);
    return push;
  }
  lastSeqs(chatIds: readonly string[]) {
    this.asked.push([...chatIds]);
    const map = new Map<string, number>();
    for (const id of chatIds) {
      if (!this.erased.has(id)) map.set(id, this.pushes.get(id)?.at(-1)?.payload.seq ?? 0);
    }
    return Promise.resolve(map);
  }
  tail(chatId: string) {
    return Promise.resolve(this.pushes.get(chatId)?.at(-1));
  }
}

/** Records what a connection would be sent; `next()` waits for the next stored push. */
class Recorder implements Subscriber {
  readonly stored: number[] = [];
  readonly ephemeral: string[] = [];
  private waiters: Array<() => void> = [];
  deliver(push: StoredPush): void {
    this.stored.push(push.payload.seq);
    for (const wake of this.waiters.splice(0)) wake();
  }
  deliverEphemeral(push: Push): void {
    this.ephemeral.push(push.action);
    for (const wake of this.waiters.splice(0)) wake();
  }
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

const hubs: ClusterHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

function node(broker: MemoryBroker, log: FakeLog, nodeId: string, checkMs = 60_000): ClusterHub {
  const hub = new ClusterHub({ bus: broker.connect(), nodeId, log, logger: silentLogger, checkMs });
  hubs.push(hub);
  return hub;
}

/** Subscribes and waits until the subscription's first catch-up has looked at the log. */
async function subscribed(hub: ClusterHub, log: FakeLog, subscriber: Subscriber, chatId = CHAT): Promise<void> {
  const before = log.asked.length;
  hub.subscribe(chatId, subscriber);
  while (log.asked.length === before) await new Promise((resolve) => setImmediate(resolve));
}

describe('ClusterHub', () => {
  it('delivers a push stored on one node to the connections of another, and once on its own', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const [a, b] = [node(broker, log, 'a'), node(broker, log, 'b')];
    const onA = new Recorder();
    const onB = new Recorder();
    await subscribed(a, log, onA);
    await subscribed(b, log, onB);

    const arrived = onB.next();
    a.publish(CHAT, log.add(note(1)));
    await arrived;
    await new Promise((resolve) => setImmediate(resolve));
    expect(onA.stored).toEqual([1]);
    expect(onB.stored).toEqual([1]);
  });

  it('lets go of an erased chat on every node: by the bus, or by the position check when the message was missed', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const [a, b, c] = [node(broker, log, 'a'), node(broker, log, 'b'), node(broker, log, 'c')];
    const letGo: string[] = [];
    const watcher = (name: string): Subscriber => ({ deliver() {}, deliverEphemeral() {}, erased: () => letGo.push(name) });
    await subscribed(a, log, watcher('a'));
    await subscribed(b, log, watcher('b'));
    log.erased.add(CHAT);
    a.erased(CHAT);
    await new Promise((resolve) => setImmediate(resolve));
    expect(letGo.sort()).toEqual(['a', 'b']);
    // C subscribed to the chat only after the erasure was published: its first look finds the chat gone.
    await subscribed(c, log, watcher('c'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(letGo.sort()).toEqual(['a', 'b', 'c']);
  });

  it('carries ephemeral pushes (typing) across nodes', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const [a, b] = [node(broker, log, 'a'), node(broker, log, 'b')];
    const onB = new Recorder();
    await subscribed(b, log, onB);
    const arrived = onB.next();
    a.publishEphemeral(CHAT, typing);
    await arrived;
    expect(onB.ephemeral).toEqual(['incoming_typing_indicator']);
  });

  it('catches up from the log after a resync when the bus lost a push', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const [a, b] = [node(broker, log, 'a'), node(broker, log, 'b')];
    const onB = new Recorder();
    await subscribed(b, log, onB);

    broker.dropping = true;
    a.publish(CHAT, log.add(note(1)));
    a.publish(CHAT, log.add(note(2)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(onB.stored).toEqual([]);

    broker.dropping = false;
    const arrived = onB.next();
    broker.resync();
    await arrived;
    // The newest push only: the session reads seq 1 from the log itself when it sees the gap.
    expect(onB.stored).toEqual([2]);
  });

  it('finds a lost push by the periodic position check, without any resync', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const a = node(broker, log, 'a');
    const b = node(broker, log, 'b', 20);
    const onB = new Recorder();
    await subscribed(b, log, onB);
    broker.dropping = true;
    const arrived = onB.next();
    a.publish(CHAT, log.add(note(1)));
    await arrived;
    expect(onB.stored).toEqual([1]);
  });

  it('delivers what was stored before a new subscription was confirmed', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const b = node(broker, log, 'b');
    log.add(note(1));
    log.add(note(2));
    const onB = new Recorder();
    await subscribed(b, log, onB);
    await new Promise((resolve) => setImmediate(resolve));
    expect(onB.stored).toEqual([2]);
  });

  it('stops listening to a chat when its last connection leaves, and checks only served chats', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const [a, b] = [node(broker, log, 'a'), node(broker, log, 'b')];
    const onB = new Recorder();
    await subscribed(b, log, onB);
    b.unsubscribe(CHAT, onB);
    a.publish(CHAT, log.add(note(1)));
    await new Promise((resolve) => setImmediate(resolve));
    await b.check();
    expect(onB.stored).toEqual([]);
    expect(log.asked.flat().filter((id) => id === CHAT)).toHaveLength(1);
  });

  it('ignores malformed bus messages and pushes of another chat on the topic', async () => {
    const broker = new MemoryBroker();
    const log = new FakeLog();
    const b = node(broker, log, 'b');
    const onB = new Recorder();
    await subscribed(b, log, onB);
    const raw = broker.connect();
    for (const message of [null, 'text', { node: 'x' }, { node: 'x', push: { action: 'nope' } }, { node: 'x', push: note(5, 'other-chat') }]) {
      await raw.publish(chatTopic(CHAT), message);
    }
    const arrived = onB.next();
    await raw.publish(chatTopic(CHAT), { node: 'x', push: note(6) });
    await arrived;
    expect(onB.stored).toEqual([6]);
  });
});
