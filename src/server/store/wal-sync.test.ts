import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { messagePush } from '../chat/pushes';
import { useFileStores } from '../test/file-stores';
import { WalSync, type FsyncFn } from './wal-sync';

type Release = (error: Error | null) => void;

/**
 * An fsync the test releases by hand: `held` lists the callbacks waiting, and
 * `next()` resolves with the next one once the store asks for it (batches are
 * paced, so how many loop turns that takes is not fixed).
 */
function heldFsync(): { fsync: FsyncFn; held: Release[]; calls: number; next: () => Promise<Release> } {
  const waiters: Array<() => void> = [];
  const state = {
    held: [] as Release[],
    calls: 0,
    fsync: (() => {}) as FsyncFn,
    next: async (): Promise<Release> => {
      while (state.held.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return state.held.shift()!;
    },
  };
  state.fsync = (_fd, done) => {
    state.calls += 1;
    state.held.push(done);
    waiters.splice(0).forEach((wake) => wake());
  };
  return state;
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  // Enough turns for any chain of microtasks and immediates to run.
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('WalSync', () => {
  const dirs: string[] = [];
  const walFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'roundel-walsync-'));
    dirs.push(dir);
    const db = new Database(join(dir, 'x.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    return { path: join(dir, 'x.db'), db };
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('settles sync() only after the fsync returned, and holds reads meanwhile', async () => {
    const { path, db } = walFile();
    const f = heldFsync();
    const wal = new WalSync(path, f.fsync);
    const synced = wal.sync();
    const read = wal.read(() => 'read');
    expect(await settled(synced)).toBe(false);
    expect(await settled(read)).toBe(false);
    f.held[0]!(null);
    await expect(synced).resolves.toBeUndefined();
    await expect(read).resolves.toBe('read');
    // Nothing in flight: a read runs at once.
    expect(await settled(wal.read(() => 1))).toBe(true);
    wal.close();
    db.close();
  });

  it('refuses everything after a failed fsync', async () => {
    const { path, db } = walFile();
    const f = heldFsync();
    const wal = new WalSync(path, f.fsync);
    const first = wal.sync();
    f.held[0]!(new Error('EIO'));
    await expect(first).rejects.toThrow(/fsync of the SQLite WAL failed: EIO/);
    await expect(wal.sync()).rejects.toThrow(/EIO/);
    expect(f.calls).toBe(1);
    expect(wal.failure?.message).toMatch(/EIO/);
    wal.close();
    db.close();
  });
});

describe('the SQLite store with its fsync off the main thread', () => {
  const open = useFileStores('walstore');
  const chat = { id: 'c1', endpoint: 'e', organization: 'o', context: {}, threadId: 't1' };
  const say = (text: string) => messagePush('c1', { id: text, author: 'bot', text });

  it('answers a write, and shows it to readers, only once its fsync returned', async () => {
    const f = heldFsync();
    const { store } = open({ fsync: f.fsync });
    const created = store.createChat(chat);
    (await f.next())(null);
    await created;

    const appended = store.append('c1', say('hello'));
    const release = await f.next();
    // Committed to the WAL, not yet durable: neither the writer nor a reader hears of it.
    const read = store.readLog('c1', { after: 0 });
    const bounds = store.logBounds('c1');
    expect(await settled(appended)).toBe(false);
    expect(await settled(read)).toBe(false);
    expect(await settled(bounds)).toBe(false);
    release(null);
    expect((await appended).inserted).toBe(true);
    expect((await read).map((p) => p.payload.seq)).toEqual([1]);
    expect((await bounds).lastSeq).toBe(1);
  });

  it('fails the callers of a batch whose fsync failed, and every write after it', async () => {
    const f = heldFsync();
    const { store } = open({ fsync: f.fsync });
    const created = store.createChat(chat);
    (await f.next())(new Error('EIO'));
    await expect(created).rejects.toThrow(/EIO/);
    await expect(store.append('c1', say('later'))).rejects.toThrow(/EIO/);
  });

  it('commits batches with synchronous OFF and leaves the connection at FULL for the other writers', async () => {
    const { store, path } = open();
    await store.createChat(chat);
    for (let i = 0; i < 20; i += 1) await store.append('c1', say(`m${i}`));
    // A second connection sees every committed write; the main one is back at FULL (2) between batches.
    const peek = new Database(path, { readonly: true });
    expect((peek.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n).toBe(20);
    peek.close();
    await store.close();
    // Closed cleanly: the last connection checkpointed and removed the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = open({ path }).store;
    expect((await again.readLog('c1', { after: 0 })).length).toBe(20);
  });
});
