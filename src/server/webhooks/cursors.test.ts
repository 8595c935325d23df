/**
 * Webhook cursors in both engines (agents-types.ts, WebhookCursor): moved with the outbox's
 * enqueue, never backwards, and `behind` lists exactly the chats whose committed history goes
 * past them; then the recorder, which carries handled positions on the next enqueue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messagePush, threadClosedPush } from '../chat/pushes';
import { silentLogger } from '../logger';
import { pushPosition, threadPosition, type WebhookCursor, type WebhookOutboxStore } from '../store/agents-types';
import { openPostgresStore } from '../store/postgres/store';
import { openSqliteStore } from '../store/sqlite';
import type { Store } from '../store/types';
import { usePostgres } from '../test/services';
import { WebhookRecorder } from './recorder';
import { CursorSweeper } from './sweep';

const postgres = usePostgres();
const HOUR = 3_600_000;

type Open = (now: () => Date) => Promise<Store>;

const engines: [string, Open][] = [
  ['SQLite', async (now) => openSqliteStore(':memory:', { now })],
  ['PostgreSQL', (now) => openPostgresStore(postgres().database(), { logger: silentLogger, now })],
];

describe.each(engines)('webhook cursors (%s)', (_name, open) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const chat = (s: Store, id: string, endpoint = 'hooked') => s.createChat({ id, threadId: `${id}-t1`, endpoint, organization: 'acme', context: {} });
  const say = (s: Store, id: string, text: string) => s.append(id, messagePush(id, { id: text, author: 'bot', text }));
  const sorted = (rows: WebhookCursor[]) => [...rows].sort((a, b) => a.chatId.localeCompare(b.chatId));

  it('lists the chats past their cursor, of the endpoints asked for only', async () => {
    let clock = Date.now();
    store = await open(() => new Date(clock));
    const outbox = store.webhooks;
    await chat(store, 'a');
    await chat(store, 'b');
    await chat(store, 'other', 'no-hooks');
    // New chats (no cursor yet): from before their first thread.
    expect(sorted(await outbox.behind(['hooked'], 60_000))).toEqual([
      { chatId: 'a', position: -1 },
      { chatId: 'b', position: -1 },
    ]);
    await say(store, 'a', 'one');
    await say(store, 'a', 'two');
    await outbox.enqueue([], clock, [
      { chatId: 'a', position: pushPosition(1) },
      { chatId: 'b', position: threadPosition(0) },
    ]);
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([{ chatId: 'a', position: pushPosition(1) }]);
    // Never backwards; a later move takes it to the head.
    await outbox.enqueue([], clock, [{ chatId: 'a', position: threadPosition(0) }]);
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([{ chatId: 'a', position: pushPosition(1) }]);
    await outbox.enqueue([], clock, [{ chatId: 'a', position: pushPosition(2) }]);
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([]);
    // A new thread after the last push is history past the cursor too.
    await store.startThread({ chatId: 'b', threadId: 'b-t2', close: (threadId) => threadClosedPush('b', threadId) });
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([{ chatId: 'b', position: threadPosition(0) }]);
    await outbox.enqueue([], clock, [{ chatId: 'b', position: threadPosition(1) }]);
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([]);
    // A chat with no cursor long before the newest cursor change is not new: not listed.
    clock -= HOUR;
    await chat(store, 'old');
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([]);
    expect(sorted(await outbox.behind(['hooked'], 2 * HOUR))).toEqual([{ chatId: 'old', position: -1 }]);
  });

  it('moves the cursors in the transaction of the deliveries, and forgets an erased chat', async () => {
    store = await open(() => new Date());
    const outbox = store.webhooks;
    await chat(store, 'a');
    await say(store, 'a', 'one');
    const row = { webhookId: 'w1', hook: 'hooked u', endpoint: 'hooked', url: 'u', chatId: 'a', action: 'incoming_event', body: '{}' };
    await outbox.enqueue([row], Date.now(), [{ chatId: 'a', position: pushPosition(1) }]);
    expect(await outbox.pendingCount()).toBe(1);
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([]);
    // The same webhook_id again: ignored, the cursor still moves.
    await say(store, 'a', 'two');
    await outbox.enqueue([row], Date.now(), [{ chatId: 'a', position: pushPosition(2) }]);
    expect(await outbox.pendingCount()).toBe(1);
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([]);
    expect(await store.eraseChat('a')).toBe(true);
    await chat(store, 'a');
    expect(await outbox.behind(['hooked'], 60_000)).toEqual([{ chatId: 'a', position: -1 }]);
  });
});

describe('WebhookRecorder', () => {
  /** An outbox that records what each enqueue carried. */
  function fakeOutbox(fail = false): { outbox: WebhookOutboxStore; calls: { rows: string[]; cursors: WebhookCursor[] }[] } {
    const calls: { rows: string[]; cursors: WebhookCursor[] }[] = [];
    const outbox = {
      async enqueue(items, _now, cursors = []) {
        if (fail) throw new Error('disk full');
        calls.push({ rows: items.map((item) => item.webhookId), cursors: [...cursors] });
      },
    } as Partial<WebhookOutboxStore> as WebhookOutboxStore;
    return { outbox, calls };
  }
  const source = { organization: 'acme', endpoint: 'hooked', hooks: [{ url: 'http://127.0.0.1:1/h', secret: 's', actions: ['incoming_event'] }] };
  const push = { action: 'incoming_event' as const, type: 'push' as const, payload: { chat_id: 'c2', thread_id: 't', event: { id: 'e', type: 'message' as const, author_id: 'bot', text: 'x', created_at: 't', visibility: 'all' as const } } };
  const recorder = (outbox: WebhookOutboxStore, enqueued = () => {}) =>
    new WebhookRecorder({ outbox, source: (endpoint) => (endpoint === 'hooked' ? source : undefined), enqueued, onError: () => {}, flushMs: 60_000 });

  it('carries handled positions on the next enqueue, with ids derived from the origin', async () => {
    const { outbox, calls } = fakeOutbox();
    let enqueued = 0;
    const r = recorder(outbox, () => (enqueued += 1));
    r.handled('hooked', { chatId: 'c1', position: 4 });
    r.handled('hooked', { chatId: 'c1', position: 2 });
    r.handled('no-hooks', { chatId: 'c9', position: 8 });
    await r.record('hooked', push, { chatId: 'c2', position: 6 });
    await r.record('hooked', push, { chatId: 'c2', position: 6 });
    expect(calls).toHaveLength(2);
    expect(calls[0]?.cursors).toEqual([{ chatId: 'c1', position: 4 }]);
    expect(calls[1]?.cursors).toEqual([]);
    // The same origin gives the same id: the outbox stores it once, a receiver drops the repeat.
    expect(calls[0]?.rows).toEqual(calls[1]?.rows);
    expect(enqueued).toBe(2);
    // Nothing waits: a flush writes nothing.
    await r.flush();
    expect(calls).toHaveLength(2);
    r.handled('hooked', { chatId: 'c2', position: 6 });
    await r.flush();
    expect(calls[2]).toEqual({ rows: [], cursors: [{ chatId: 'c2', position: 6 }] });
  });

  it('keeps the positions of a failed enqueue for the next one', async () => {
    const failing = fakeOutbox(true);
    const r = recorder(failing.outbox);
    r.handled('hooked', { chatId: 'c1', position: 4 });
    await expect(r.record('hooked', push, { chatId: 'c2', position: 6 })).rejects.toThrow('disk full');
    await expect(r.flush()).rejects.toThrow('disk full');
    const working = fakeOutbox();
    (failing.outbox as { enqueue: WebhookOutboxStore['enqueue'] }).enqueue = working.outbox.enqueue;
    await r.flush();
    expect(working.calls).toEqual([{ rows: [], cursors: [{ chatId: 'c1', position: 4 }] }]);
  });
});

describe('CursorSweeper', () => {
  function sweeper(answers: WebhookCursor[][]) {
    const recovered: string[] = [];
    let chain = Promise.resolve();
    const outbox = { behind: async () => answers.shift() ?? [] } as Partial<WebhookOutboxStore> as WebhookOutboxStore;
    const s = new CursorSweeper({
      outbox,
      hookedEndpoints: () => ['hooked'],
      recover: async (chatId, position) => void recovered.push(`${chatId}@${position}`),
      run: (task) => (chain = chain.then(task)),
      recovered: () => {},
    });
    return { s, recovered };
  }

  it('recovers every chat behind at start-up', async () => {
    const { s, recovered } = sweeper([[{ chatId: 'a', position: 3 }, { chatId: 'b', position: -1 }]]);
    await s.start();
    s.stop();
    expect(recovered).toEqual(['a@3', 'b@-1']);
  });

  it('recovers a chat only once it was behind at the same cursor in two sweeps in a row', async () => {
    const { s, recovered } = sweeper([
      [{ chatId: 'moving', position: 2 }, { chatId: 'stuck', position: 5 }],
      [{ chatId: 'moving', position: 4 }, { chatId: 'stuck', position: 5 }, { chatId: 'new', position: -1 }],
      [{ chatId: 'new', position: -1 }],
    ]);
    await s.stuck();
    expect(recovered).toEqual([]);
    await s.stuck();
    expect(recovered).toEqual(['stuck@5']);
    await s.stuck();
    expect(recovered).toEqual(['stuck@5', 'new@-1']);
  });
});
