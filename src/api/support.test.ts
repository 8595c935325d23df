import { describe, expect, it, vi } from 'vitest';
import { createHostEmitter } from './host-events';
import { createLogger } from './logger';
import { memoryStorage, pageStorage } from './storage';

describe('createLogger', () => {
  it('is silent without debug and prefixes [ServisBot] with it', () => {
    const sink = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    createLogger(false, sink)('error', 'quiet');
    expect(Object.values(sink).every((fn) => fn.mock.calls.length === 0)).toBe(true);

    const log = createLogger(true, sink);
    log('warn', 'careful', { code: 1 });
    log('debug', 'detail');
    expect(sink.warn).toHaveBeenCalledWith('[ServisBot]', 'careful', { code: 1 });
    expect(sink.debug).toHaveBeenCalledWith('[ServisBot]', 'detail');
  });
});

describe('pageStorage', () => {
  it("is the window's localStorage when it works", () => {
    expect(pageStorage(window, () => {})).toBe(window.localStorage);
  });

  it('falls back to memory when touching localStorage throws', () => {
    const log = vi.fn();
    const hostile = {
      get localStorage(): Storage {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as Window;
    const storage = pageStorage(hostile, log);
    storage.setItem('k', 'v');
    expect(storage.getItem('k')).toBe('v');
    storage.removeItem('k');
    expect(storage.getItem('k')).toBeNull();
    expect(log).toHaveBeenCalledWith('warn', 'localStorage is unavailable; the conversation will not survive a reload', expect.any(DOMException));
  });

  it('memoryStorage answers null for a missing key', () => {
    expect(memoryStorage().getItem('nothing')).toBeNull();
  });
});

describe('createHostEmitter', () => {
  it('runs every handler even when one throws, and logs the throw', () => {
    const log = vi.fn();
    const events = createHostEmitter(log);
    const seen: string[] = [];
    events.on('notification', () => {
      throw new Error('host bug');
    });
    events.on('notification', (message) => seen.push(message));
    events.emit('notification', 'hi');
    expect(seen).toEqual(['hi']);
    expect(log).toHaveBeenCalledWith('error', 'a "notification" handler threw', new Error('host bug'));
  });

  it('lets a handler unsubscribe itself while the event is delivered', () => {
    const events = createHostEmitter(() => {});
    const seen: string[] = [];
    const stop = events.on('notification', () => {
      seen.push('once');
      stop();
    });
    events.on('notification', () => seen.push('always'));
    events.emit('notification', 'a');
    events.emit('notification', 'b');
    expect(seen).toEqual(['once', 'always', 'always']);
  });
});
