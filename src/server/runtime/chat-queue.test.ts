import { describe, expect, it } from 'vitest';
import { ChatQueue } from './chat-queue';

const item = (id: number) => ({ id });
const none = async () => undefined;

describe('ChatQueue', () => {
  it('hands over items in memory, in order, without reading the store', async () => {
    const q = new ChatQueue<{ id: number }>();
    q.push(item(1));
    q.push(item(2));
    let reads = 0;
    const read = async () => {
      reads += 1;
      return undefined;
    };
    expect(q.waiting).toBe(true);
    const first = await q.next(read);
    expect(first).toEqual(item(1));
    q.done(item(1));
    expect(await q.next(read)).toEqual(item(2));
    q.done(item(2));
    expect(await q.next(read)).toBeUndefined();
    expect(q.waiting).toBe(false);
    expect(reads).toBe(0);
  });

  it('reads the store after a reload until it is empty, dropping what it already ran', async () => {
    const q = new ChatQueue<{ id: number }>();
    const pending = [item(4), item(5)];
    const read = async () => pending[0];
    q.push(item(5)); // also given in memory by the intake
    q.push(item(6));
    q.reload();
    expect(await q.next(read)).toEqual(item(4));
    q.done(pending.shift()!);
    expect(await q.next(read)).toEqual(item(5));
    q.done(pending.shift()!);
    // The store has nothing left: back to memory, where 5 is dropped as done.
    expect(await q.next(read)).toEqual(item(6));
    q.done(item(6));
    expect(await q.next(none)).toBeUndefined();
  });

  it('runs an item again from the store when its result was not stored', async () => {
    const q = new ChatQueue<{ id: number }>();
    q.push(item(7));
    expect(await q.next(none)).toEqual(item(7));
    // The turn's commit failed: item 7 is still pending in the store.
    q.reload();
    expect(await q.next(async () => item(7))).toEqual(item(7));
    q.done(item(7));
    q.push(item(7));
    expect(await q.next(none)).toBeUndefined();
  });
});
