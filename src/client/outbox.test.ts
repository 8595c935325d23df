import { describe, expect, it } from 'vitest';
import { Limits, type StoredPush } from '../protocol';
import { Probe, STORAGE_KEY, setup } from './testing/harness';

const SETTLE = 10;

/** The custom_ids of visitor messages and postbacks in a chat's log, in order. */
function visitorIds(log: readonly StoredPush[]): (string | undefined)[] {
  return log.flatMap((push) => {
    if (push.action === 'incoming_event') return push.payload.event.author === 'visitor' ? [push.payload.event.custom_id] : [];
    return push.action === 'incoming_rich_message_postback' ? [push.payload.custom_id] : [];
  });
}

/** A client logged in to chat-1 (it has seen the welcome, seq 1). */
function ready() {
  const h = setup();
  const probe = new Probe(h);
  probe.client.connect();
  h.clock.advance(SETTLE);
  return { h, probe };
}

function goOffline(h: ReturnType<typeof setup>): void {
  h.server.refuseConnections = true;
  h.server.dropAll();
  h.clock.advance(SETTLE);
}

describe('outbox', () => {
  it('sends a message, emits the outbox while it waits, and removes it on success', () => {
    const { h, probe } = ready();
    const item = probe.client.queues!.sendMessage('hello');
    expect(item).toMatchObject({ kind: 'message', text: 'hello' });
    expect(item.customId).toMatch(/^[0-9a-f-]{36}$/);
    expect(probe.client.outboxItems).toEqual([item]);
    h.clock.advance(SETTLE);
    expect(probe.of('outbox')).toEqual([[item], []]);
    expect(probe.client.outboxItems).toEqual([]);
    expect(h.server.countCustomId('send_event', item.customId)).toBe(1);
    const echo = probe.of('push').find((p) => p.action === 'incoming_event' && p.payload.event.custom_id === item.customId);
    expect(echo?.payload.seq).toBe(2);
  });

  it('refuses empty and over-long text with a TypeError, and queues nothing', () => {
    const { probe } = ready();
    expect(() => probe.client.queues!.sendMessage('   ')).toThrow(TypeError);
    expect(() => probe.client.queues!.sendMessage('x'.repeat(Limits.textChars + 1))).toThrow(TypeError);
    expect(() => probe.client.queues!.sendMessage(42 as unknown as string)).toThrow(TypeError);
    expect(() => probe.client.queues!.sendPostback('', 'Yes')).toThrow(TypeError);
    expect(probe.client.outboxItems).toEqual([]);
    expect(probe.of('outbox')).toEqual([]);
  });

  it('sends messages queued while disconnected exactly once, in order, after the reconnect', () => {
    const { h, probe } = ready();
    goOffline(h);
    const a = probe.client.queues!.sendMessage('first');
    const b = probe.client.queues!.sendPostback('m-chat-1-1', 'Yes');
    const c = probe.client.queues!.sendMessage('third');
    h.clock.advance(5_000);
    expect(probe.client.outboxItems).toEqual([a, b, c]);
    expect((h.storage.json(STORAGE_KEY) as { outbox: unknown[] }).outbox).toEqual([a, b, c]);

    h.server.refuseConnections = false;
    h.clock.advanceUntil(() => probe.client.outboxItems.length === 0);
    h.clock.advance(SETTLE);
    expect(h.server.countCustomId('send_event', a.customId)).toBe(1);
    expect(h.server.countCustomId('send_rich_message_postback', b.customId)).toBe(1);
    expect(h.server.countCustomId('send_event', c.customId)).toBe(1);
    const visitor = visitorIds(h.server.chat('chat-1').log);
    expect(visitor).toEqual([a.customId, b.customId, c.customId]);
    expect(probe.transcript()).toEqual(h.server.chat('chat-1').log);
    expect((h.storage.json(STORAGE_KEY) as { outbox: unknown[] }).outbox).toEqual([]);
  });

  it('persists the outbox across a reload and sends it once on the first ready of the new page', () => {
    const h = setup();
    const first = new Probe(h);
    first.client.connect();
    h.clock.advance(SETTLE);
    goOffline(h);
    const item = first.client.queues!.sendMessage('sent from a dying page');
    const pageEvent = first.client.pageEvent('checkout');
    first.client.destroy();
    h.server.refuseConnections = false;

    const second = new Probe(h);
    expect(second.client.outboxItems.map((i) => i.customId)).toEqual([item.customId, expect.any(String)]);
    second.client.connect();
    expect(second.of('outbox')).toEqual([second.client.outboxItems]); // told once listeners exist
    h.clock.advance(SETTLE * 3);
    expect(second.client.outboxItems).toEqual([]);
    expect(h.server.countCustomId('send_event', item.customId)).toBe(1);
    expect(h.server.chat('chat-1').pageEvents.map((e) => e.alias)).toEqual(['checkout']);
    expect(second.transcript()).toEqual(h.server.chat('chat-1').log);
    return expect(pageEvent).rejects.toEqual({ type: 'internal', message: 'the chat client was destroyed' });
  });

  it('keeps a rate-limited item and retries it after a short jittered pause', () => {
    const { h, probe } = ready();
    let refusals = 1;
    h.server.fault = (request) =>
      request.action === 'send_event' && refusals-- > 0 ? { error: 'too_many_requests' } : undefined;
    const item = probe.client.queues!.sendMessage('slow down');
    h.clock.advance(SETTLE);
    expect(probe.client.outboxItems).toEqual([item]);
    expect(probe.of('error')).toEqual([]);
    h.clock.advance(500); // backoff attempt 0: at most 500 ms
    expect(probe.client.outboxItems).toEqual([]);
    const sent = h.server.last.socket.requests().filter((r) => r.action === 'send_event');
    expect(sent).toHaveLength(2);
    expect(h.server.countCustomId('send_event', item.customId)).toBe(1);
  });

  it('resends after a request timeout with the same custom_id; the server dedupes', () => {
    const { h, probe } = ready();
    let lost = 1;
    h.server.fault = (request) => (request.action === 'send_event' && lost-- > 0 ? 'swallow' : undefined);
    const item = probe.client.queues!.sendMessage('are you there?');
    h.clock.advance(10_000 - 1);
    expect(probe.client.outboxItems).toEqual([item]);
    h.clock.advance(1 + 500 + SETTLE);
    expect(probe.client.outboxItems).toEqual([]);
    expect(h.server.countCustomId('send_event', item.customId)).toBe(2);
    const messages = h.server.chat('chat-1').log.filter((p) => p.action === 'incoming_event' && p.payload.event.author === 'visitor');
    expect(messages).toHaveLength(1);
    expect(probe.transcript()).toEqual(h.server.chat('chat-1').log);
  });

  it('drops an item the server refuses as invalid, emits the error, and goes on with the next', () => {
    const { h, probe } = ready();
    h.server.fault = (request) =>
      request.action === 'send_event' && request.payload.event.text === 'bad' ? { error: 'validation' } : undefined;
    probe.client.queues!.sendMessage('bad');
    const good = probe.client.queues!.sendMessage('good');
    h.clock.advance(SETTLE * 2);
    expect(probe.of('error')).toEqual([{ type: 'validation', message: 'injected fault' }]);
    expect(probe.client.outboxItems).toEqual([]);
    expect(h.server.countCustomId('send_event', good.customId)).toBe(1);
    expect(h.server.last.socket.requests().filter((r) => r.action === 'send_event')).toHaveLength(2);
  });
});

describe('pageEvent', () => {
  it('queues before the first login and resolves once the server accepted it', async () => {
    const h = setup();
    const probe = new Probe(h);
    let settled = false;
    const accepted = probe.client.pageEvent('viewed-pricing', { plan: 'pro' }).then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    probe.client.connect();
    h.clock.advance(SETTLE);
    await accepted;
    expect(settled).toBe(true);
    expect(h.server.chat('chat-1').pageEvents).toEqual([
      { alias: 'viewed-pricing', body: { plan: 'pro' }, custom_id: expect.any(String) },
    ]);
  });

  it('stays queued through a disconnect', async () => {
    const { h, probe } = ready();
    goOffline(h);
    let settled = false;
    const accepted = probe.client.pageEvent('checkout').then(() => {
      settled = true;
    });
    h.clock.advance(30_000);
    await Promise.resolve();
    expect(settled).toBe(false);
    h.server.refuseConnections = false;
    h.clock.advanceUntil(() => probe.client.outboxItems.length === 0);
    await accepted;
    expect(h.server.chat('chat-1').pageEvents.map((e) => [e.alias, e.body])).toEqual([['checkout', undefined]]);
  });

  it('rejects with the ErrorBody when the server refuses it', async () => {
    const { h, probe } = ready();
    h.server.fault = (request) => (request.action === 'page_event' ? { error: 'validation' } : undefined);
    const refused = probe.client.pageEvent('nope');
    h.clock.advance(SETTLE);
    await expect(refused).rejects.toEqual({ type: 'validation', message: 'injected fault' });
    expect(probe.client.outboxItems).toEqual([]);
  });

  it('throws a TypeError for a bad alias or body', () => {
    const { probe } = ready();
    expect(() => probe.client.pageEvent('')).toThrow(TypeError);
    expect(() => probe.client.pageEvent('x'.repeat(Limits.nameChars + 1))).toThrow(TypeError);
    expect(() => probe.client.pageEvent('ok', [] as never)).toThrow(TypeError);
    expect(() => probe.client.pageEvent('ok', { big: 'x'.repeat(Limits.contextChars) })).toThrow(TypeError);
  });
});
