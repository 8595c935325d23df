import { describe, expect, it, vi } from 'vitest';
import { SafeEmitter } from './safe-emitter';

type Events = { note: string; other: number };

describe('SafeEmitter', () => {
  it('runs every handler even when one throws, and logs the throw', () => {
    const log = vi.fn();
    const events = new SafeEmitter<Events>(log);
    const seen: string[] = [];
    events.on('note', () => {
      throw new Error('host bug');
    });
    events.on('note', (message) => seen.push(message));
    events.emit('note', 'hi');
    expect(seen).toEqual(['hi']);
    expect(log).toHaveBeenCalledWith('error', "a 'note' handler threw", new Error('host bug'));
  });

  it('lets a handler unsubscribe itself while the event is delivered', () => {
    const events = new SafeEmitter<Events>(() => {});
    const seen: string[] = [];
    const stop = events.on('note', () => {
      seen.push('once');
      stop();
    });
    events.on('note', () => seen.push('always'));
    events.emit('note', 'a');
    events.emit('note', 'b');
    expect(seen).toEqual(['once', 'always', 'always']);
  });

  it('off without a handler drops every handler of that event only; clear drops all', () => {
    const events = new SafeEmitter<Events>(() => {});
    const seen: unknown[] = [];
    events.on('note', (m) => seen.push(m));
    events.on('note', (m) => seen.push(`again ${m}`));
    events.on('other', (n) => seen.push(n));
    events.off('note');
    events.emit('note', 'x');
    events.emit('other', 1);
    events.clear();
    events.emit('other', 2);
    expect(seen).toEqual([1]);
  });
});
