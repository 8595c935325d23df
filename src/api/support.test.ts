import { describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger';
import { pageStorage } from './storage';

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
  it("reaches the window's localStorage at the first call, not before (the socket opens first), and then only once", () => {
    let reached = 0;
    const win = {
      get localStorage(): Storage {
        reached += 1;
        return window.localStorage;
      },
    } as unknown as Window;
    const storage = pageStorage(win);
    expect(reached).toBe(0);
    storage.setItem('roundel:test', 'v');
    expect(storage.getItem('roundel:test')).toBe('v');
    expect(window.localStorage.getItem('roundel:test')).toBe('v');
    storage.removeItem('roundel:test');
    expect(window.localStorage.getItem('roundel:test')).toBeNull();
    expect(reached).toBe(1);
  });

  it('throws the getter\'s error from every call when touching localStorage throws (the client keeps the session in memory)', () => {
    const denied = new DOMException('The operation is insecure.', 'SecurityError');
    const hostile = {
      get localStorage(): Storage {
        throw denied;
      },
    } as unknown as Window;
    const storage = pageStorage(hostile);
    expect(() => storage.getItem('k')).toThrow(denied);
    expect(() => storage.setItem('k', 'v')).toThrow(denied);
    expect(() => storage.removeItem('k')).toThrow(denied);
  });
});
