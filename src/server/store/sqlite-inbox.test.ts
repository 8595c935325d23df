import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { messagePush } from '../chat/pushes';
import { useFileStores } from '../test/file-stores';
import { CommitError } from './group-commit';
import { ID_BLOCK } from './sqlite-inbox';
import type { InboxItem, Store } from './types';

// The deferred inbox rows of sqlite-inbox.ts, seen through the store and the database file.
describe('inbox rows of items done within their own batch', () => {
  const openFile = useFileStores('inbox');
  const open = (path?: string) => openFile({ path });
  const rows = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT id, kind, processed_at FROM inbox ORDER BY id').all() as Array<{ id: number; kind: string; processed_at: string | null }>;
    } finally {
      db.close();
    }
  };
  const event = { kind: 'pushback', pushbackId: 'p', event: 'e', eventData: {} } as const;
  const say = (text: string) => messagePush('c1', { id: text, author: 'bot', text });

  /** Accepts an item, answers it and marks it done in the same turn: one batch. */
  const turn = (store: Store) => {
    let item: InboxItem | undefined;
    const accepted = store.acceptInbound({ chatId: 'c1', input: event, stored: (i) => (item = i) });
    const said = store.append('c1', say('reply'), () => `${item!.id}:1`);
    const done = store.finishItem(() => item!.id, 'c1', { step: 1 }, undefined);
    return Promise.all([accepted, said, done]).then(([a]) => a);
  };

  it('writes no row for an item accepted, answered and done by one batch, and never reuses its id', async () => {
    const { store, path } = open();
    await store.createChat({ id: 'c1', threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
    const first = await turn(store);
    if (first.status !== 'accepted') throw new Error(first.status);
    // Only the chat's start item has a row; the turn's output and state are stored.
    expect(rows(path).map((r) => r.kind)).toEqual(['start']);
    expect((await store.readLog('c1', { after: 0 })).map((p) => p.payload)).toMatchObject([{ event: { text: 'reply' } }]);
    expect((await store.getChat('c1'))?.state).toEqual({ step: 1 });
    await store.close();
    // A restarted server hands out later ids: an origin `<id>:n` can never name two items.
    const again = open(path).store;
    const second = await again.acceptInbound({ chatId: 'c1', input: event });
    if (second.status !== 'accepted') throw new Error(second.status);
    expect(second.item.id).toBeGreaterThan(first.item.id);
  });

  it('writes the row of an item still pending when its batch ends', async () => {
    const { store, path } = open();
    const { startItem } = await store.createChat({ id: 'c1', threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
    await store.finishItem(startItem.id, 'c1', undefined, undefined);
    const accepted = await store.acceptInbound({ chatId: 'c1', input: event });
    if (accepted.status !== 'accepted') throw new Error(accepted.status);
    expect(rows(path).at(-1)).toMatchObject({ id: accepted.item.id, kind: 'event', processed_at: null });
    expect((await store.nextPending('c1'))?.id).toBe(accepted.item.id);
    await store.finishItem(accepted.item.id, 'c1', undefined, undefined);
    expect(rows(path).at(-1)?.processed_at).not.toBeNull();
    expect(await store.nextPending('c1')).toBeUndefined();
  });

  it('sees a duplicate client id within the same batch', async () => {
    const { store } = open();
    await store.createChat({ id: 'c1', threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
    const message = { kind: 'message', text: 'hi', eventId: 'e1', customId: 'same' } as const;
    const [a, b] = await Promise.all([
      store.acceptInbound({ chatId: 'c1', input: message, push: say('hi') }),
      store.acceptInbound({ chatId: 'c1', input: message, push: say('hi') }),
    ]);
    expect(a.status).toBe('accepted');
    expect(b).toMatchObject({ status: 'duplicate', seq: 1 });
  });

  it('leaves no row of a batch that failed, nor of a chat erased in the same batch', async () => {
    const { store, path } = open();
    await store.createChat({ id: 'c1', threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
    store.failNextCommits?.(1);
    await expect(store.acceptInbound({ chatId: 'c1', input: event })).rejects.toBeInstanceOf(CommitError);
    expect(rows(path).map((r) => r.kind)).toEqual(['start']);
    const [accepted, erased] = await Promise.all([store.acceptInbound({ chatId: 'c1', input: event }), store.eraseChat('c1')]);
    expect(accepted.status).toBe('accepted');
    expect(erased).toBe(true);
    expect(rows(path)).toEqual([]);
  });

  it('keeps the stored counter above every committed id, written once per block, also past a failed batch', async () => {
    const { store, path } = open();
    const counter = () => {
      const db = new Database(path, { readonly: true });
      try {
        return (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'inbox'").get() as { seq: number }).seq;
      } finally {
        db.close();
      }
    };
    const { startItem } = await store.createChat({ id: 'c1', threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
    const reserved = counter();
    expect(reserved).toBe(startItem.id + ID_BLOCK);
    for (let i = 0; i < 3; i += 1) await turn(store);
    expect(counter()).toBe(reserved); // within the block: not written again
    // Up to the end of the block, then a batch that crosses into the next one fails: its counter
    // is rolled back with it, and the batch after it must store the next block itself.
    const accept = () => store.acceptInbound({ chatId: 'c1', input: event });
    const upTo = await Promise.all(Array.from({ length: reserved - startItem.id - 3 - 1 }, accept));
    expect(upTo.at(-1)).toMatchObject({ status: 'accepted', item: { id: reserved - 1 } });
    expect(counter()).toBe(reserved);
    // Turns done within their batch: no row is written, so only the store's own write raises the
    // counter (an inserted row would raise it too: SQLite keeps sqlite_sequence at the highest id).
    store.failNextCommits?.(1);
    const failed = await Promise.allSettled(Array.from({ length: 10 }, () => turn(store)));
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    const later = await Promise.all(Array.from({ length: 5 }, () => turn(store)));
    const ids = later.map((r) => (r.status === 'accepted' ? r.item.id : 0));
    expect(Math.min(...ids)).toBeGreaterThan(reserved);
    expect(counter()).toBeGreaterThanOrEqual(Math.max(...ids));
    // A second process opening the file as it is (the first never closed, as after a SIGKILL)
    // hands out only ids above every one of them.
    const next = await open(path).store.acceptInbound({ chatId: 'c1', input: event });
    expect(next.status === 'accepted' && next.item.id).toBeGreaterThan(Math.max(...ids));
  });
});
