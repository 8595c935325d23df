/**
 * Upgrading loses nothing: `fixtures/v1.db` was written by the release before chats and threads
 * (see fixtures/README.md). Opened by this release, every dialog is a chat with one thread, with
 * its transcript, state, pushbacks and pending inbox items, and an open widget resumes.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../runtime/types';
import { startServer, type TestServer } from '../test/harness';
import { TokenSigner } from '../token';
import { openSqliteStore } from './sqlite';

const fixtures = new URL('./fixtures/', import.meta.url);
interface FixtureInfo {
  secret: string;
  open: { chatId: string; token: string; lastSeq: number; apiPushback: string; botPushback: string };
  closed: { chatId: string };
  next: { chatId: string };
}
const info = JSON.parse(readFileSync(new URL('v1.json', fixtures), 'utf8')) as FixtureInfo;

/** The bot the fixture was written with. */
const bot: Bot = {
  async onStart(ctx) {
    await ctx.say('welcome');
  },
  async onMessage(ctx, text) {
    const count = typeof ctx.state.count === 'number' ? ctx.state.count + 1 : 1;
    ctx.state = { ...ctx.state, count, last: text };
    await ctx.say(`echo ${count}: ${text}`);
  },
  async onEvent(ctx, event, eventData) {
    await ctx.say(`event ${event} ${JSON.stringify(eventData)}`);
  },
};

let dir: string;
let t: TestServer | undefined;
beforeEach(() => {
  // A copy: migrating writes to the file, and the fixture must stay a version-1 database.
  dir = mkdtempSync(join(tmpdir(), 'roundel-upgrade-'));
  copyFileSync(new URL('v1.db', fixtures), join(dir, 'roundel.db'));
});
afterEach(async () => {
  await t?.close(true);
  t = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('upgrading a version-1 database', () => {
  it('is the old schema before it is opened', () => {
    const db = new Database(join(dir, 'roundel.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare('SELECT count(*) FROM dialogs').pluck().get()).toBe(3);
    db.close();
  });

  it('turns every dialog into a chat with one thread, keeping log, state, pushbacks and pending items', async () => {
    const store = openSqliteStore(join(dir, 'roundel.db'));
    const open = await store.getChat(info.open.chatId);
    expect(open).toMatchObject({
      id: info.open.chatId,
      endpoint: 'acme-test',
      organization: 'acme',
      user: null,
      context: { page: 'pricing' },
      state: { count: 2, last: 'remind me' },
      lastRequest: undefined,
      lastSeq: 6,
      thread: { chatId: info.open.chatId, closedAt: null, startSeq: 0 },
    });
    expect(open?.thread.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(open?.thread.id).not.toBe(info.open.chatId);
    expect(await store.listThreads(info.open.chatId)).toEqual([open?.thread]);
    const log = await store.readLog(info.open.chatId, { after: 0 });
    expect(log.map((push) => push.payload.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.map((push) => (push.action === 'incoming_event' ? push.payload.event.text : push.action))).toEqual([
      'welcome',
      'hello',
      'echo 1: hello',
      'remind me',
      'echo 2: remind me',
      'still there?',
    ]);
    for (const id of [info.open.apiPushback, info.open.botPushback]) {
      expect(await store.getPushback(id)).toMatchObject({ id, chatId: info.open.chatId, botId: 'acme-test' });
    }
    expect(await store.pendingChatIds()).toEqual([info.open.chatId]);
    expect(await store.nextPending(info.open.chatId)).toMatchObject({ kind: 'message', payload: { text: 'still there?' } });

    const closed = await store.getChat(info.closed.chatId);
    expect(closed?.thread.closedAt).not.toBeNull();
    expect((await store.readLog(info.closed.chatId, { after: 0 })).at(-1)).toMatchObject({ action: 'thread_closed', payload: { seq: 2 } });
    expect((await store.getChat(info.next.chatId))?.thread.closedAt).toBeNull();
    await store.close();

    const db = new Database(join(dir, 'roundel.db'), { readonly: true });
    // Later migrations ran too (the version grows with every release); the dialogs are gone.
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(2);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['chats', 'threads']));
    expect(tables).not.toContain('dialogs');
    db.close();
  });

  it('serves the upgraded data: the open widget resumes, pending items run with the old state, pushbacks fire', async () => {
    t = await startServer(bot, { dir, secret: info.secret });
    const c = await t.connect();
    const login = await c.call('login', { token: info.open.token, last_seq: 5, history: true });
    expect(login).toMatchObject({ chat_id: info.open.chatId, resumed: true, recovered: true, thread_seq: 0 });
    expect((login.history as unknown[]).length).toBe(5);
    // The pending message runs with the stored state (count 2 -> 3), then the pending activation.
    await c.pushesUntil(8);
    expect(c.texts()).toEqual(['echo 3: still there?', 'event remind {"topic":"pricing","via":"pushgate"}']);

    const fired = await fetch(`${t.url}/pushgate/push_${info.open.botPushback}`, { method: 'POST', body: '{"again":true}' });
    expect(fired.status).toBe(202);
    await c.pushesUntil(9);
    expect(c.texts().at(-1)).toBe('event remind {"again":true}');

    // The dialog closed before the upgrade: its token opens a new thread in the same chat.
    const old = await t.connect();
    const reopened = await old.call('login', { token: new TokenSigner(Buffer.from(info.secret)).sign(info.closed.chatId) });
    expect(reopened).toMatchObject({ chat_id: info.closed.chatId, thread_seq: 2, last_seq: 2, history: [] });
    await old.pushesUntil(3);
    expect(old.texts()).toEqual(['welcome']);
  });
});
