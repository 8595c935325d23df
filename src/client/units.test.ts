/** The pure pieces: backoff, resume point, login plan, stored session, outbox items, timers. */
import { describe, expect, it } from 'vitest';
import type { LoginResponse, StoredPush } from '../protocol';
import { backoffDelay } from './backoff';
import { planLogin } from './login-plan';
import { newCustomId, outboxRequest, parseOutbox } from './outbox-items';
import { resumePoint } from './resume';
import { parseSession } from './session-store';
import { FakeClock } from './testing/fake-clock';
import { FAKE_SETTINGS } from './testing/fake-server';
import { createTimers } from './timers';

const push = (seq: number, chatId = 'c1'): StoredPush => ({
  action: 'host_notification',
  type: 'push',
  payload: { chat_id: chatId, seq, message: `n${seq}` },
});

const response = (fields: Partial<LoginResponse>): LoginResponse => ({
  chat_id: 'c1',
  customer_id: 'c1',
  thread_id: 'th1',
  thread_seq: 0,
  token: 't1',
  resumed: true,
  recovered: true,
  last_seq: 0,
  history: [],
  settings: FAKE_SETTINGS,
  ...fields,
});

describe('backoffDelay', () => {
  it('is random() times the doubling ceiling, capped at max and floored at min / 2', () => {
    expect([0, 1, 2, 3, 5, 6, 50].map((a) => backoffDelay(a, 500, 20_000, () => 1 - 1e-9))).toEqual(
      [500, 1000, 2000, 4000, 16_000, 20_000, 20_000].map((v) => v * (1 - 1e-9)),
    );
    expect(backoffDelay(4, 500, 20_000, () => 0)).toBe(250);
    expect(backoffDelay(2, 500, 20_000, () => 0.5)).toBe(1000);
  });
});

describe('resumePoint', () => {
  it('a recovered reconnect holds the requested seq', () => {
    expect(resumePoint(response({ last_seq: 9 }), { chatId: 'c1', lastSeq: 7 })).toEqual({ history: [], lastSeq: 7 });
  });

  it('a reload holds the history up to the requested seq, sorted and deduplicated, own chat only', () => {
    const history = [push(2), push(1), push(2), push(3, 'other')];
    expect(resumePoint(response({ last_seq: 5, history }), { chatId: 'c1', lastSeq: 2 })).toEqual({
      history: [push(1), push(2)],
      lastSeq: 2,
    });
  });

  it('an unrecovered resume holds what history gave, or the chat seq when all was trimmed', () => {
    expect(resumePoint(response({ recovered: false, last_seq: 4, history: [push(3), push(4)] }), { chatId: 'c1', lastSeq: 1 })).toEqual({
      history: [push(3), push(4)],
      lastSeq: 4,
    });
    expect(resumePoint(response({ recovered: false, last_seq: 4 }), { chatId: 'c1', lastSeq: 1 }).lastSeq).toBe(4);
    // Newer than the chat (a server that lost data): back to what it has.
    expect(resumePoint(response({ recovered: false, last_seq: 2, history: [push(1), push(2)] }), { chatId: 'c1', lastSeq: 9 }).lastSeq).toBe(2);
  });

  it('another chat than the one asked about starts from what history gave', () => {
    expect(resumePoint(response({ chat_id: 'c2', resumed: false }), { chatId: 'c1', lastSeq: 7 }).lastSeq).toBe(0);
  });

  it('holds at least up to thread_seq: earlier threads of the chat are never sent again', () => {
    // Our own reset: no history yet, the new thread starts after seq 8.
    expect(resumePoint(response({ last_seq: 8, thread_seq: 8 }), { lastSeq: 0 })).toEqual({ history: [], lastSeq: 8 });
    // Another tab reset while we were away: our position (3) lies before the thread (after 6).
    const history = [push(7), push(8)];
    expect(resumePoint(response({ last_seq: 8, thread_seq: 6, history }), { chatId: 'c1', lastSeq: 3 })).toEqual({ history, lastSeq: 8 });
    expect(resumePoint(response({ last_seq: 6, thread_seq: 6 }), { chatId: 'c1', lastSeq: 3 }).lastSeq).toBe(6);
  });

  it('never claims more than the chat has', () => {
    expect(resumePoint(response({ last_seq: 3 }), { chatId: 'c1', lastSeq: 9 }).lastSeq).toBe(3);
  });
});

describe('planLogin', () => {
  const session = { token: 't1', chatId: 'c1', lastSeq: 4 };
  const base = { session, needTranscript: false, newChatRequested: false, context: { a: 1 } };

  it('reconnect: token and last_seq, no history', () => {
    expect(planLogin(base)).toEqual({
      payload: { token: 't1', last_seq: 4, history: false, context: { a: 1 } },
      resume: { chatId: 'c1', lastSeq: 4 },
      startsNewChat: false,
    });
  });

  it('reload: token, last_seq and history', () => {
    expect(planLogin({ ...base, needTranscript: true }).payload).toEqual({ token: 't1', last_seq: 4, history: true, context: { a: 1 } });
  });

  it('after thread_closed in the stored chat: token without last_seq (the current thread comes whole)', () => {
    expect(planLogin({ ...base, needTranscript: true, closedChatId: 'c1' })).toEqual({
      payload: { token: 't1', last_seq: undefined, history: true, context: { a: 1 } },
      resume: { lastSeq: 0 },
      startsNewChat: false,
    });
  });

  it('new conversation: a new thread of the token\'s chat', () => {
    expect(planLogin({ ...base, newChatRequested: true })).toEqual({
      payload: { token: 't1', new_thread: true, history: true, context: { a: 1 } },
      resume: { lastSeq: 0 },
      startsNewChat: true,
    });
  });

  it('new conversation without a token, or no token: no token at all (a new chat)', () => {
    expect(planLogin({ ...base, session: { lastSeq: 0 }, newChatRequested: true })).toEqual({
      payload: { history: true, context: { a: 1 } },
      resume: { lastSeq: 0 },
      startsNewChat: true,
    });
    expect(planLogin({ ...base, session: { lastSeq: 0 } }).startsNewChat).toBe(false);
  });
});

describe('stored session', () => {
  it('keeps token, chatId and lastSeq only together and valid', () => {
    expect(parseSession({ token: 't', chatId: 'c', lastSeq: 3, outbox: [] })).toEqual({ token: 't', chatId: 'c', lastSeq: 3, outbox: [] });
    expect(parseSession({ token: 't', lastSeq: 3 })).toEqual({ lastSeq: 0, outbox: [] });
    expect(parseSession({ token: 't', chatId: 'c', lastSeq: 1.5 })).toEqual({ token: 't', chatId: 'c', lastSeq: 0, outbox: [] });
    expect(parseSession('garbage')).toEqual({ lastSeq: 0, outbox: [] });
  });

  it('keeps valid outbox items, once each, in order', () => {
    const a = { kind: 'message', customId: 'a', text: 'hi', createdAt: 'x' };
    const b = { kind: 'page_event', customId: 'b', alias: 'go', body: { k: 1 }, createdAt: 'x' };
    const c = { kind: 'postback', customId: 'c', eventId: 'e1', text: 'Yes', createdAt: 'x' };
    expect(parseOutbox([a, { ...a, text: 'dup' }, b, null, { ...c, eventId: '' }, c])).toEqual([a, b, c]);
    expect(parseOutbox({})).toEqual([]);
  });
});

describe('outbox items', () => {
  it('maps each kind to its request', () => {
    expect(outboxRequest({ kind: 'postback', customId: 'c', eventId: 'e1', text: 'Yes', createdAt: 'x' })).toEqual({
      action: 'send_rich_message_postback',
      payload: { event_id: 'e1', postback: { id: 'Yes', toggled: true }, custom_id: 'c' },
    });
    expect(outboxRequest({ kind: 'page_event', customId: 'c', alias: 'go', createdAt: 'x' })).toEqual({
      action: 'page_event',
      payload: { alias: 'go', body: undefined, custom_id: 'c' },
    });
  });

  it('makes v4-shaped ids without crypto.randomUUID', () => {
    const saved = globalThis.crypto.randomUUID;
    try {
      Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
      const clock = new FakeClock(3);
      const id = newCustomId(() => clock.random());
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(newCustomId(() => clock.random())).not.toBe(id);
    } finally {
      Object.defineProperty(globalThis.crypto, 'randomUUID', { value: saved, configurable: true });
    }
  });
});

describe('Timers', () => {
  it('replaces a timer of the same name and clears all', () => {
    const clock = new FakeClock();
    const timers = createTimers(clock);
    const fired: string[] = [];
    timers.set('a', 10, () => fired.push('a1'));
    timers.set('a', 20, () => fired.push('a2'));
    timers.set('b', 5, () => timers.set('b', 5, () => fired.push('b2')));
    clock.advance(30);
    expect(fired).toEqual(['b2', 'a2']);
    timers.set('c', 5, () => fired.push('c'));
    timers.clearAll();
    clock.advance(30);
    expect(fired).toEqual(['b2', 'a2']);
    expect(clock.pending).toBe(0);
    expect(timers.size).toBe(0);
  });
});
