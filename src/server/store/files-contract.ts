/**
 * The files table's contract: one suite, run against every engine (files.test.ts on SQLite,
 * postgres/store.test.ts on PostgreSQL). Files live with their chat: erasing the chat erases them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenStore } from './contract';
import type { Store } from './types';

export function describeFilesContract(engine: string, open: OpenStore): void {
  let store: Store;
  let clock = new Date('2026-01-01T00:00:00.000Z');
  // Every byte value, so an engine that treats the bytes as text fails here.
  const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
  const file = (id: string, chatId = 'c1', data = bytes) => ({ id, chatId, name: `${id}.bin`, contentType: 'application/zip', size: data.length, data });

  describe(`files: ${engine}`, () => {
    beforeEach(async () => {
      clock = new Date('2026-01-01T00:00:00.000Z');
      store = await open({ retention: { maxAgeDays: 1 }, now: () => clock });
      await store.createChat({ id: 'c1', threadId: 't1', endpoint: 'ep', organization: 'org', context: {} });
      await store.createChat({ id: 'c2', threadId: 't2', endpoint: 'ep', organization: 'org', context: {} });
    });
    afterEach(() => store.close());

    it('stores a file and gives back its bytes exactly, with what is known of it', async () => {
      expect(await store.files.put(file('f1'))).toEqual({ id: 'f1', chatId: 'c1', name: 'f1.bin', contentType: 'application/zip', size: 512, createdAt: clock.toISOString() });
      const stored = await store.files.get('f1');
      expect(stored).toMatchObject({ id: 'f1', chatId: 'c1', name: 'f1.bin', contentType: 'application/zip', size: 512, createdAt: clock.toISOString() });
      expect(stored?.data.equals(bytes)).toBe(true);
      expect(await store.files.get('nope')).toBeUndefined();
    });

    it('keeps 10 MiB in one file', async () => {
      const big = Buffer.alloc(10 * 1024 * 1024, 0xab);
      await store.files.put(file('big', 'c1', big));
      expect((await store.files.get('big'))?.data.equals(big)).toBe(true);
    });

    it('refuses a second file with the same id and deletes one file', async () => {
      await store.files.put(file('f1'));
      await expect(store.files.put(file('f1'))).rejects.toThrow();
      expect(await store.files.delete('f1')).toBe(true);
      expect(await store.files.delete('f1')).toBe(false);
      expect(await store.files.get('f1')).toBeUndefined();
    });

    it('trims files past the retention age, as their messages are', async () => {
      await store.files.put(file('old'));
      clock = new Date('2026-01-02T12:00:00.000Z');
      await store.files.put(file('new'));
      await store.trim(clock);
      expect(await store.files.get('old')).toBeUndefined();
      expect((await store.files.get('new'))?.id).toBe('new');
    });

    it('erases a chat’s files with the chat, and nothing of another chat', async () => {
      await store.files.put(file('mine-1'));
      await store.files.put(file('mine-2'));
      await store.files.put(file('theirs', 'c2'));
      expect(await store.eraseChat('c1')).toBe(true);
      expect(await store.files.get('mine-1')).toBeUndefined();
      expect(await store.files.get('mine-2')).toBeUndefined();
      expect((await store.files.get('theirs'))?.chatId).toBe('c2');
    });
  });
}
