import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messagePush, threadClosedPush } from '../chat/pushes';
import { openSqliteStore } from './sqlite';
import type { Store } from './types';

let store: Store;
let clock = new Date('2026-01-01T00:00:00.000Z');
const push = (text: string) => messagePush('d1', { id: text, author: 'bot', text });

beforeEach(async () => {
  clock = new Date('2026-01-01T00:00:00.000Z');
  store = openSqliteStore(':memory:', { retention: { maxEvents: 3, maxAgeDays: 1 }, now: () => clock });
  await store.createDialog({ id: 'd1', endpoint: 'ep', organization: 'org', context: { a: 1 } });
});
afterEach(async () => {
  await store.close();
});

describe('dialogs and the log', () => {
  it('creates a dialog with its start item', async () => {
    expect(await store.getDialog('d1')).toEqual({
      id: 'd1',
      endpoint: 'ep',
      organization: 'org',
      createdAt: '2026-01-01T00:00:00.000Z',
      closedAt: null,
      context: { a: 1 },
      state: {},
      lastSeq: 0,
    });
    expect(await store.nextPending('d1')).toMatchObject({ kind: 'start', dialogId: 'd1', customId: null });
    expect(await store.pendingDialogIds()).toEqual(['d1']);
  });

  it('appends with increasing seqs, ignores a repeated origin, and reads ranges', async () => {
    expect((await store.append('d1', push('a'), 'i:1')).push.payload.seq).toBe(1);
    const repeat = await store.append('d1', push('other'), 'i:1');
    expect(repeat.inserted).toBe(false);
    expect(repeat.push).toMatchObject({ action: 'incoming_event', payload: { seq: 1, event: { text: 'a' } } });
    await store.append('d1', push('b'));
    const seqs = (await store.readLog('d1', { after: 0 })).map((p) => p.payload.seq);
    expect(seqs).toEqual([1, 2]);
    expect((await store.readLog('d1', { after: 0, until: 1 })).map((p) => p.payload.seq)).toEqual([1]);
    expect((await store.readLog('d1', { after: 1, limit: 5 })).map((p) => p.payload.seq)).toEqual([2]);
    await expect(store.append('missing', push('x'))).rejects.toThrow('dialog missing does not exist');
  });

  it('trims the log to maxEvents on append and by age on trim()', async () => {
    for (const text of ['1', '2', '3', '4', '5']) await store.append('d1', push(text));
    expect(await store.logBounds('d1')).toEqual({ oldestSeq: 3, lastSeq: 5 });
    clock = new Date('2026-01-03T00:00:00.000Z');
    await store.trim(clock);
    expect(await store.logBounds('d1')).toEqual({ oldestSeq: 6, lastSeq: 5 });
    expect(await store.readLog('d1', { after: 0 })).toEqual([]);
  });

  it('closes a dialog once, appending thread_closed', async () => {
    const closed = await store.closeDialog('d1', threadClosedPush('d1'));
    expect(closed).toEqual({ action: 'thread_closed', type: 'push', payload: { chat_id: 'd1', seq: 1 } });
    expect(await store.closeDialog('d1', threadClosedPush('d1'))).toBeUndefined();
    expect((await store.getDialog('d1'))?.closedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(await store.openDialogIds('ep', '', 10)).toEqual([]);
  });
});

describe('the inbox', () => {
  it('deduplicates by custom id and appends the visible push in the same transaction', async () => {
    const first = await store.acceptInbound({ dialogId: 'd1', kind: 'message', payload: { text: 'hi' }, customId: 'c', push: push('hi') });
    expect(first).toMatchObject({ status: 'accepted', push: { payload: { seq: 1 } } });
    const again = await store.acceptInbound({ dialogId: 'd1', kind: 'message', payload: { text: 'hi' }, customId: 'c', push: push('hi') });
    expect(again).toMatchObject({ status: 'duplicate', seq: 1, item: { payload: { text: 'hi' } } });
    expect((await store.logBounds('d1')).lastSeq).toBe(1);
    expect(await store.acceptInbound({ dialogId: 'nope', kind: 'event', payload: {} })).toEqual({ status: 'missing' });
    await store.closeDialog('d1', threadClosedPush('d1'));
    expect(await store.acceptInbound({ dialogId: 'd1', kind: 'event', payload: {}, requireOpen: true })).toEqual({ status: 'closed' });
  });

  it('hands out pending items in id order and persists state when finishing', async () => {
    const start = await store.nextPending('d1');
    await store.acceptInbound({ dialogId: 'd1', kind: 'event', payload: { event: 'e' } });
    await store.finishItem(start?.id ?? 0, 'd1', { step: 2 });
    expect(await store.nextPending('d1')).toMatchObject({ kind: 'event', payload: { event: 'e' } });
    expect((await store.getDialog('d1'))?.state).toEqual({ step: 2 });
  });

  it('enqueues an event for many dialogs at once and pages open dialogs', async () => {
    await store.createDialog({ id: 'd2', endpoint: 'ep', organization: 'org', context: {} });
    await store.createDialog({ id: 'd3', endpoint: 'other', organization: 'org', context: {} });
    expect(await store.openDialogIds('ep', '', 1)).toEqual(['d1']);
    expect(await store.openDialogIds('ep', 'd1', 10)).toEqual(['d2']);
    expect(await store.filterOpenDialogs('ep', ['d3', 'd2', 'x'])).toEqual(['d2']);
    const items = await store.enqueueEvents(['d1', 'd2'], { event: 'x' });
    expect(items.map((i) => [i.dialogId, i.kind])).toEqual([['d1', 'event'], ['d2', 'event']]);
  });
});

describe('pushbacks and meta', () => {
  it('creates idempotently by origin, reads and deletes', async () => {
    const record = { id: 'p1', dialogId: 'd1', channelType: 'chatwidget', botId: 'ep', event: 'e', eventData: { x: 1 }, createdAt: 't' };
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
