/**
 * The store contract: what every engine behind {@link Store} must do, as one suite. Each engine's
 * test file runs it against a fresh store (sqlite.test.ts on `:memory:`, postgres/store.test.ts on
 * an empty PostgreSQL database), so the engines cannot drift apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messagePush, multicastPush, threadClosedPush } from '../chat/pushes';
import { CommitError } from './group-commit';
import type { Retention, Store } from './types';

/** What the suite asks of an engine: a fresh, empty store with this retention and clock. */
export type OpenStore = (options: { retention: Partial<Retention>; now: () => Date }) => Promise<Store>;

/** Registers the contract suite for one engine. */
export function describeStoreContract(engine: string, open: OpenStore): void {
  let store: Store;
  let clock = new Date('2026-01-01T00:00:00.000Z');
  const push = (text: string) => messagePush('c1', { id: text, author: 'bot', text });
  const close = (threadId: string) => threadClosedPush('c1', threadId);

  describe(`store contract: ${engine}`, () => {
    beforeEach(async () => {
      clock = new Date('2026-01-01T00:00:00.000Z');
      store = await open({ retention: { maxEvents: 3, maxAgeDays: 1 }, now: () => clock });
      await store.createChat({ id: 'c1', threadId: 't1', endpoint: 'ep', organization: 'org', context: { a: 1 } });
    });
    afterEach(async () => {
      await store.close();
    });

    describe('chats and the log', () => {
      it('creates a chat with its first thread and start item', async () => {
        expect(await store.getChat('c1')).toEqual({
          id: 'c1',
          endpoint: 'ep',
          organization: 'org',
          createdAt: '2026-01-01T00:00:00.000Z',
          user: null,
          context: { a: 1 },
          state: {},
          lastRequest: undefined,
          lastSeq: 0,
          thread: { id: 't1', chatId: 'c1', createdAt: '2026-01-01T00:00:00.000Z', closedAt: null, startSeq: 0 },
        });
        expect(await store.nextPending('c1')).toMatchObject({ kind: 'start', chatId: 'c1', customId: null });
        expect(await store.pendingChatIds()).toEqual(['c1']);
      });

      it('appends with increasing seqs, ignores a repeated origin, and reads ranges', async () => {
        expect((await store.append('c1', push('a'), 'i:1')).push.payload.seq).toBe(1);
        const repeat = await store.append('c1', push('other'), 'i:1');
        expect(repeat.inserted).toBe(false);
        expect(repeat.push).toMatchObject({ action: 'incoming_event', payload: { seq: 1, event: { text: 'a' } } });
        await store.append('c1', push('b'));
        const seqs = (await store.readLog('c1', { after: 0 })).map((p) => p.payload.seq);
        expect(seqs).toEqual([1, 2]);
        expect((await store.readLog('c1', { after: 0, until: 1 })).map((p) => p.payload.seq)).toEqual([1]);
        expect((await store.readLog('c1', { after: 1, limit: 5 })).map((p) => p.payload.seq)).toEqual([2]);
        await expect(store.append('missing', push('x'))).rejects.toThrow('chat missing does not exist');
      });

      it('trims the log to maxEvents on append and by age on trim()', async () => {
        for (const text of ['1', '2', '3', '4', '5']) await store.append('c1', push(text));
        expect(await store.logBounds('c1')).toEqual({ oldestSeq: 3, lastSeq: 5 });
        clock = new Date('2026-01-03T00:00:00.000Z');
        await store.trim(clock);
        expect(await store.logBounds('c1')).toEqual({ oldestSeq: 6, lastSeq: 5 });
        expect(await store.readLog('c1', { after: 0 })).toEqual([]);
      });

      it('finds a verified visitor’s chat by user id, per endpoint', async () => {
        const user = { id: 'u-42', name: 'Ada', email: 'ada@example.com' };
        await store.createChat({ id: 'c2', threadId: 't2', endpoint: 'ep', organization: 'org', context: {}, user });
        expect((await store.findChatByUser('ep', 'u-42'))?.id).toBe('c2');
        expect((await store.getChat('c2'))?.user).toEqual(user);
        expect(await store.findChatByUser('other', 'u-42')).toBeUndefined();
        // One chat per (endpoint, user): a second one is refused by the database.
        await expect(
          store.createChat({ id: 'c3', threadId: 't3', endpoint: 'ep', organization: 'org', context: {}, user: { id: 'u-42' } }),
        ).rejects.toThrow();
      });

      it('updates a verified visitor’s name and email, only for the chat of that user', async () => {
        await store.createChat({ id: 'c2', threadId: 't2', endpoint: 'ep', organization: 'org', context: {}, user: { id: 'u-42', name: 'Ada' } });
        expect(await store.getChat('c2')).toMatchObject({ user: { id: 'u-42', name: 'Ada' } }); // read once: a cache must not keep it
        expect(await store.updateChatUser('c2', { id: 'u-42', name: 'Ada Lovelace', email: 'ada@example.com' })).toBe(true);
        expect((await store.getChat('c2'))?.user).toEqual({ id: 'u-42', name: 'Ada Lovelace', email: 'ada@example.com' });
        expect((await store.findChatByUser('ep', 'u-42'))?.user).toEqual({ id: 'u-42', name: 'Ada Lovelace', email: 'ada@example.com' });
        // Another user's id, an anonymous chat, a missing chat: nothing changes.
        expect(await store.updateChatUser('c2', { id: 'u-7', name: 'Mallory' })).toBe(false);
        expect(await store.updateChatUser('c1', { id: 'u-42', name: 'Ada' })).toBe(false);
        expect(await store.updateChatUser('missing', { id: 'u-42' })).toBe(false);
        expect((await store.getChat('c2'))?.user?.name).toBe('Ada Lovelace');
        expect((await store.getChat('c1'))?.user).toBeNull();
      });
    });

    describe('threads', () => {
      it('closes the current thread once, appending thread_closed with its id', async () => {
        const closed = await store.closeThread('c1', close);
        expect(closed).toEqual({ action: 'thread_closed', type: 'push', payload: { chat_id: 'c1', seq: 1, thread_id: 't1' } });
        expect(await store.closeThread('c1', close)).toBeUndefined();
        expect((await store.getChat('c1'))?.thread.closedAt).toBe('2026-01-01T00:00:00.000Z');
        expect(await store.closeThread('missing', close)).toBeUndefined();
      });

      it('starts a new thread in the same chat: seq continues, state, pushbacks and pending items stay', async () => {
        await store.append('c1', push('hello'));
        const start = await store.nextPending('c1');
        await store.finishItem(start?.id ?? 0, 'c1', { visits: 1 });
        await store.createPushback({ id: 'p1', chatId: 'c1', channelType: 'chatwidget', botId: 'ep', event: 'e', eventData: {}, createdAt: 't' });
        clock = new Date('2026-01-02T00:00:00.000Z');

        const next = await store.startThread({ chatId: 'c1', threadId: 't2', close, context: { b: 2 } });
        expect(next?.closed).toEqual({ action: 'thread_closed', type: 'push', payload: { chat_id: 'c1', seq: 2, thread_id: 't1' } });
        expect(next?.chat).toMatchObject({ id: 'c1', lastSeq: 2, state: { visits: 1 }, context: { b: 2 } });
        expect(next?.chat.thread).toEqual({ id: 't2', chatId: 'c1', createdAt: '2026-01-02T00:00:00.000Z', closedAt: null, startSeq: 2 });
        expect(next?.startItem).toMatchObject({ kind: 'start', chatId: 'c1' });
        expect((await store.append('c1', push('again'))).push.payload.seq).toBe(3);
        expect(await store.getPushback('p1')).toMatchObject({ chatId: 'c1' });
        expect(await store.listThreads('c1')).toEqual([
          { id: 't1', chatId: 'c1', createdAt: '2026-01-01T00:00:00.000Z', closedAt: '2026-01-02T00:00:00.000Z', startSeq: 0 },
          { id: 't2', chatId: 'c1', createdAt: '2026-01-02T00:00:00.000Z', closedAt: null, startSeq: 2 },
        ]);
      });

      it('starts a new thread after a closed one right after its thread_closed, keeping the context', async () => {
        await store.closeThread('c1', close);
        // A pushback fired between the threads: its answer belongs to the next conversation.
        await store.append('c1', push('answer to a pushback'));
        const next = await store.startThread({ chatId: 'c1', threadId: 't2', close });
        expect(next?.closed).toBeUndefined();
        expect(next?.chat).toMatchObject({ lastSeq: 2, context: { a: 1 }, thread: { id: 't2', startSeq: 1 } });
        expect(await store.startThread({ chatId: 'missing', threadId: 't3', close })).toBeUndefined();
      });
    });

    describe('the inbox', () => {
      it('deduplicates by custom id and appends the visible push in the same transaction', async () => {
        const first = await store.acceptInbound({ chatId: 'c1', input: { kind: 'message', text: 'hi', eventId: 'e1', customId: 'c' }, push: push('hi') });
        expect(first).toMatchObject({ status: 'accepted', push: { payload: { seq: 1 } } });
        const again = await store.acceptInbound({ chatId: 'c1', input: { kind: 'message', text: 'hi', eventId: 'e1', customId: 'c' }, push: push('hi') });
        expect(again).toMatchObject({ status: 'duplicate', seq: 1, item: { payload: { text: 'hi' } } });
        expect((await store.logBounds('c1')).lastSeq).toBe(1);
        expect(await store.acceptInbound({ chatId: 'nope', input: { kind: 'pushback', pushbackId: 'p', event: 'e', eventData: {} } })).toEqual({ status: 'missing' });
        await store.closeThread('c1', close);
        expect(await store.acceptInbound({ chatId: 'c1', input: { kind: 'pushback', pushbackId: 'p', event: 'e', eventData: {} }, requireOpen: true })).toEqual({ status: 'closed' });
        // Without requireOpen (a pushback activation) a chat between threads still takes it.
        expect(await store.acceptInbound({ chatId: 'c1', input: { kind: 'pushback', pushbackId: 'p', event: 'e', eventData: {} } })).toMatchObject({ status: 'accepted' });
      });

      it('hands out pending items in id order and persists state and lastRequest when finishing', async () => {
        const start = await store.nextPending('c1');
        await store.acceptInbound({ chatId: 'c1', input: { kind: 'pushback', pushbackId: 'p', event: 'e', eventData: {} } });
        await store.finishItem(start?.id ?? 0, 'c1', { step: 2 });
        const event = await store.nextPending('c1');
        expect(event).toMatchObject({ kind: 'event', payload: { event: 'e' }, input: { kind: 'pushback', event: 'e' } });
        expect((await store.getChat('c1'))?.state).toEqual({ step: 2 });
        await store.finishItem(event?.id ?? 0, 'c1', undefined, { order: 7 });
        expect(await store.getChat('c1')).toMatchObject({ state: { step: 2 }, lastRequest: { order: 7 } });
        expect(await store.nextPending('c1')).toBeUndefined();
      });

      it('tells the stored item, and reads a function origin and done-mark id when their writes run', async () => {
        let told: number | undefined;
        const accepted = await store.acceptInbound({
          chatId: 'c1',
          input: { kind: 'pushback', pushbackId: 'p', event: 'e', eventData: {} },
          stored: (item) => {
            told = item.id;
          },
        });
        expect(accepted.status === 'accepted' && accepted.item.id).toBe(told);
        const id = () => told ?? 0;
        const first = await store.append('c1', push('out'), () => `${id()}:1`);
        expect((await store.append('c1', push('out again'), `${id()}:1`)).inserted).toBe(false);
        expect(first).toMatchObject({ inserted: true, push: { payload: { event: { text: 'out' } } } });
        await store.finishItem((await store.nextPending('c1'))?.id ?? 0, 'c1', undefined);
        await store.finishItem(id, 'c1', { done: true });
        expect(await store.nextPending('c1')).toBeUndefined();
        expect((await store.getChat('c1'))?.state).toEqual({ done: true });
      });

      it('enqueues an event for many chats at once and pages chats', async () => {
        await store.createChat({ id: 'c2', threadId: 't2', endpoint: 'ep', organization: 'org', context: {} });
        await store.createChat({ id: 'c3', threadId: 't3', endpoint: 'other', organization: 'org', context: {} });
        await store.closeThread('c2', (threadId) => threadClosedPush('c2', threadId));
        expect(await store.chatIds('ep', '', 1)).toEqual(['c1']);
        // A chat between threads is still addressed: the event waits in its inbox.
        expect(await store.chatIds('ep', 'c1', 10)).toEqual(['c2']);
        expect(await store.filterChats('ep', ['c3', 'c2', 'x'])).toEqual(['c2']);
        const input = { kind: 'external' as const, event: 'x', data: { n: 1 }, multicast: false };
        const stored = await store.fanOut(['c1', 'gone', 'c2'], input, { inbox: true, multicast: (chatId) => multicastPush(chatId, 'x', { n: 1 }) });
        expect(stored.map((r) => [r.chatId, r.item?.input, r.push?.action])).toEqual([
          ['c1', input, 'incoming_multicast'],
          ['c2', input, 'incoming_multicast'],
        ]);
        // A bot without onEvent: the push only, no inbox row.
        const pushOnly = await store.fanOut(['c1'], input, { inbox: false, multicast: (chatId) => multicastPush(chatId, 'x', {}) });
        expect(pushOnly).toEqual([{ chatId: 'c1', push: expect.objectContaining({ action: 'incoming_multicast' }) }]);
      });
    });

    describe('erasing a chat', () => {
      it('removes the chat with its threads, log, inbox and pushbacks, and nothing of another chat', async () => {
        await store.createChat({ id: 'c2', threadId: 't2', endpoint: 'ep', organization: 'org', context: {} });
        await store.append('c1', push('a'));
        await store.startThread({ chatId: 'c1', threadId: 't1b', close });
        await store.createPushback({ id: 'p1', chatId: 'c1', channelType: 'chatwidget', botId: 'ep', event: 'e', eventData: {}, createdAt: 't' });
        expect(await store.eraseChat('c1')).toBe(true);
        expect(await store.getChat('c1')).toBeUndefined();
        expect(await store.listThreads('c1')).toEqual([]);
        expect(await store.readLog('c1', { after: 0 })).toEqual([]);
        expect(await store.nextPending('c1')).toBeUndefined();
        expect(await store.getPushback('p1')).toBeUndefined();
        expect(await store.pendingChatIds()).toEqual(['c2']);
        expect(await store.eraseChat('c1')).toBe(false);
      });
    });

    describe('a failed commit', () => {
      it('rejects its writes with a CommitError, stores nothing of them, and the next commit works', async () => {
        store.failNextCommits(1);
        await expect(store.append('c1', push('lost'))).rejects.toBeInstanceOf(CommitError);
        expect(await store.logBounds('c1')).toEqual({ oldestSeq: 1, lastSeq: 0 });
        expect((await store.append('c1', push('kept'))).push.payload.seq).toBe(1);
        expect((await store.readLog('c1', { after: 0 })).map((p) => p.payload.seq)).toEqual([1]);
      });
    });

    describe('pushbacks and meta', () => {
      it('creates idempotently by origin, reads and deletes', async () => {
        const record = { id: 'p1', chatId: 'c1', channelType: 'chatwidget', botId: 'ep', event: 'e', eventData: { x: 1 }, createdAt: 't' };
        expect(await store.createPushback(record, 'i:2')).toEqual(record);
        expect(await store.createPushback({ ...record, id: 'p2' }, 'i:2')).toEqual(record);
        expect(await store.getPushback('p1')).toEqual(record);
        expect(await store.getPushback('p2')).toBeUndefined();
        expect(await store.deletePushback('p1')).toBe(true);
        expect(await store.deletePushback('p1')).toBe(false);
        expect(await store.getPushback('p1')).toBeUndefined();
      });

      it('keeps the first meta value', async () => {
        expect(await store.putMetaIfAbsent('k', 'one')).toBe('one');
        expect(await store.putMetaIfAbsent('k', 'two')).toBe('one');
        expect(await store.getMeta('k')).toBe('one');
        expect(await store.getMeta('missing')).toBeUndefined();
      });
    });
  });
}
