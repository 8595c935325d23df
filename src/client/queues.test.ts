/** A client whose queues (outbox, context, reports) arrive after it connected, as in the widget's first load. */
import { describe, expect, it } from 'vitest';
import { createQueues } from './queues';
import { Probe, STORAGE_KEY, setup } from './testing/harness';

const SETTLE = 10;

/** A client without queues: what the widget's first load builds. */
function lazyProbe(h: ReturnType<typeof setup>) {
  return new Probe(h, { lazy: true });
}

describe('queues attached later', () => {
  it('holds page events and context updates made before the queues, sends none early, and hands them over in order', async () => {
    const h = setup();
    const probe = lazyProbe(h);
    const settled: string[] = [];
    const first = probe.client.pageEvent('viewed-pricing', { plan: 'pro' }).then(() => settled.push('viewed-pricing'));
    const context = probe.client.updateContext({ plan: 'pro' }).then(() => settled.push('context'));
    const second = probe.client.pageEvent('checkout').then(() => settled.push('checkout'));
    expect(probe.client.needsQueues).toBe(true);
    probe.client.connect();
    h.clock.advance(SETTLE);
    expect(probe.client.state).toBe('ready');
    const actions = () => h.server.last.socket.requests().map((r) => r.action);
    expect(actions()).toEqual(['login']);
    expect(settled).toEqual([]);

    probe.client.attachQueues(createQueues);
    expect(probe.client.needsQueues).toBe(false);
    h.clock.advance(SETTLE * 3);
    await Promise.all([first, context, second]);
    expect(h.server.chat('chat-1').pageEvents.map((e) => [e.alias, e.body])).toEqual([
      ['viewed-pricing', { plan: 'pro' }],
      ['checkout', undefined],
    ]);
    expect(h.server.chat('chat-1').context).toEqual({ plan: 'pro' });
    expect(settled).toContain('context');
    expect(settled.filter((s) => s !== 'context')).toEqual(['viewed-pricing', 'checkout']);
  });

  it('checks a page event at once: a bad alias or body throws before anything is held', () => {
    const probe = lazyProbe(setup());
    expect(() => probe.client.pageEvent('')).toThrow(TypeError);
    expect(() => probe.client.pageEvent('ok', [] as never)).toThrow('body must be a plain object');
    expect(probe.client.needsQueues).toBe(false);
  });

  it('keeps a stored outbox as it was through logins before the queues, then sends it once', () => {
    const h = setup();
    const dying = new Probe(h);
    dying.client.connect();
    h.clock.advance(SETTLE);
    h.server.refuseConnections = true;
    h.server.dropAll();
    h.clock.advance(SETTLE);
    const item = dying.client.queues!.sendMessage('sent from a dying page');
    dying.client.destroy();
    h.server.refuseConnections = false;

    const probe = lazyProbe(h);
    expect(probe.client.outboxItems).toEqual([]);
    expect(probe.client.needsQueues).toBe(true);
    probe.client.connect();
    h.clock.advance(SETTLE);
    expect(probe.client.state).toBe('ready');
    // The login stored the session again: the outbox it could not read is written back unchanged.
    expect((h.storage.json(STORAGE_KEY) as { outbox: unknown[] }).outbox).toEqual([item]);
    expect(h.server.countCustomId('send_event', item.customId)).toBe(0);

    probe.client.attachQueues(createQueues);
    expect(probe.of('outbox')[0]).toEqual([item]);
    h.clock.advance(SETTLE * 2);
    expect(h.server.countCustomId('send_event', item.customId)).toBe(1);
    expect((h.storage.json(STORAGE_KEY) as { outbox: unknown[] }).outbox).toEqual([]);
  });

  it('rejects what it held when destroyed before the queues came, and attaches nothing afterwards', async () => {
    const probe = lazyProbe(setup());
    const held = probe.client.pageEvent('checkout');
    probe.client.destroy();
    await expect(held).rejects.toEqual({ type: 'internal', message: 'the chat client was destroyed' });
    probe.client.attachQueues(createQueues);
    expect(probe.client.needsQueues).toBe(false);
    expect(probe.client.queues).toBeUndefined();
  });

  it('a visitor message needs the queues (the panel that sends one comes with them)', () => {
    const probe = lazyProbe(setup());
    expect(probe.client.queues).toBeUndefined();
    probe.client.attachQueues(createQueues);
    expect(probe.client.queues?.sendMessage('hi')).toMatchObject({ kind: 'message', text: 'hi' });
  });
});
