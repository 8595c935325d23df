/**
 * The widget on a page that breaks built-ins (docs/security.md, "The widget inside hostile
 * pages"): the guards of hostile.ts, and the api layer over the real ChatClient while the page
 * replaces JSON or Array.prototype methods. Built-ins are replaced by hand and restored before any
 * expect: vitest itself needs them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChatClient, type WebSocketFactory, type WebSocketLike } from '../client';
import { FakeClock } from '../client/testing/fake-clock';
import { FakeServer } from '../client/testing/fake-server';
import { MemoryStorage } from '../client/testing/memory-storage';
import { guardedClock, guardedWebSocket, jsonWorks } from './hostile';
import { createInit } from './init';
import type { MessengerApi } from './types';
import { LAZY } from './lazy.fixture';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.doUnmock('./hostile');
  vi.resetModules();
});

/** Runs `fn` with `Array.prototype[name]` (each) replaced by a throwing function, then restores them. */
function withBrokenArrays<T>(names: readonly (keyof unknown[])[], fn: () => T): T {
  const saved = names.map((name) => Array.prototype[name]);
  for (const name of names) {
    (Array.prototype as unknown as Record<PropertyKey, unknown>)[name] = () => {
      throw new Error(`hostile: Array.prototype.${String(name)}`);
    };
  }
  try {
    return fn();
  } finally {
    for (let i = 0; i < names.length; i += 1) (Array.prototype as unknown as Record<PropertyKey, unknown>)[names[i]!] = saved[i];
  }
}

/** Runs `fn` with JSON.parse and JSON.stringify throwing, then restores them. */
function withBrokenJson<T>(fn: () => T): T {
  const { parse, stringify } = JSON;
  JSON.parse = JSON.stringify = () => {
    throw new Error('hostile: JSON');
  };
  try {
    return fn();
  } finally {
    Object.assign(JSON, { parse, stringify });
  }
}

class NativeSocket {
  static last: NativeSocket;
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  readonly calls: unknown[][] = [];
  constructor(readonly url: string) {
    NativeSocket.last = this;
  }
  send(data: string) {
    this.calls.push(['send', data]);
  }
  close(code?: number, reason?: string) {
    this.calls.push(['close', code, reason]);
  }
}

describe('guardedWebSocket', () => {
  it("forwards to the page's socket, and reports what a handler throws instead of throwing it into the page", () => {
    const reported: unknown[] = [];
    const Socket = guardedWebSocket(NativeSocket as never, (error) => reported.push(error));
    const socket = new Socket('ws://chat.example.com/ws');
    const native = NativeSocket.last;
    expect(native.url).toBe('ws://chat.example.com/ws');
    native.readyState = 1;
    expect(socket.readyState).toBe(1);
    socket.send('frame');
    socket.close(1000, 'bye');
    expect(native.calls).toEqual([
      ['send', 'frame'],
      ['close', 1000, 'bye'],
    ]);

    const received: unknown[] = [];
    socket.onmessage = (event) => received.push(event.data);
    socket.onclose = () => {
      throw new Error('a built-in the page broke');
    };
    native.onmessage!({ data: 'hello' });
    expect(() => native.onclose!({ code: 1006, reason: '' })).not.toThrow();
    expect(received).toEqual(['hello']);
    expect(reported).toEqual([new Error('a built-in the page broke')]);

    // Detached by the client: events of the old socket reach nobody.
    socket.onmessage = null;
    native.onmessage!({ data: 'late' });
    expect(received).toEqual(['hello']);
  });

  it('throws where the client expects it for a constructor that throws or a dud that takes no handlers', () => {
    const refused = guardedWebSocket(
      function () {
        throw new Error('no sockets here');
      } as never,
      () => {},
    );
    expect(() => new refused('ws://x')).toThrow('no sockets here');
    const dud = guardedWebSocket(function () {
      return Object.freeze({});
    } as never, () => {});
    expect(() => new dud('ws://x')).toThrow(TypeError);
  });
});

describe('guardedClock', () => {
  it('reports what a timer callback throws', () => {
    vi.useFakeTimers();
    const reported: unknown[] = [];
    const clock = guardedClock((error) => reported.push(error));
    clock.setTimeout(() => {
      throw new Error('late failure');
    }, 10);
    expect(() => vi.advanceTimersByTime(10)).not.toThrow();
    expect(reported).toEqual([new Error('late failure')]);
  });
});

describe('JSON captured at load', () => {
  it('works on an intact page', () => {
    expect(jsonWorks).toBe(true);
  });

  it("when the page broke JSON before we loaded, a context is copied shallowly instead of refused (not the caller's mistake)", async () => {
    vi.doMock('./hostile', async (original) => ({
      ...(await original<typeof import('./hostile')>()),
      jsonWorks: false,
      stringifyJson: () => {
        throw new Error('hostile: JSON.stringify');
      },
    }));
    const validate = await import('./validate');
    const context = { plan: 'pro' };
    const copy = validate.jsonObject(context, 'context');
    expect(copy).toEqual(context);
    expect(copy).not.toBe(context);
    expect(validate.isJsonObject({ big: 'x'.repeat(20_000) })).toBe(true);
    expect(() => validate.jsonObject([], 'context')).toThrow(new TypeError('context must be a plain object'));
  });
});

describe('the api over the real ChatClient on a hostile page', () => {
  let api: MessengerApi | undefined;
  afterEach(() => api?.destroy());

  function start() {
    const clock = new FakeClock();
    const server = new FakeServer(clock, { echo: false });
    // The page's WebSocket: what init captures and guards.
    vi.stubGlobal('WebSocket', server.WebSocket);
    for (const level of ['debug', 'info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
    api = createInit({
      window,
      defaultServerUrl: () => 'http://127.0.0.1:8080',
      loadPanel: () => LAZY,
      createClient: (options) => createChatClient({ ...options, clock, storage: new MemoryStorage() }),
    })({ organization: 'acme', endpoint: 'acme-demo', alwaysOpen: true, debug: true });
    clock.advance(50);
    const view = document.getElementById('servisbot-messenger')!.shadowRoot!;
    return { api, clock, server, view };
  }

  it('guards the socket callbacks: what throws inside them is logged, not thrown into the page', () => {
    const clock = new FakeClock();
    const server = new FakeServer(clock, { echo: false });
    vi.stubGlobal('WebSocket', server.WebSocket);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sockets: WebSocketLike[] = [];
    api = createInit({
      window,
      defaultServerUrl: () => 'http://127.0.0.1:8080',
      loadPanel: () => LAZY,
      createClient: (options) => {
        // What the client is given: the page's WebSocket behind the guard.
        const Guarded = options.WebSocket;
        const WebSocket = function (url: string) {
          const socket = new Guarded(url);
          sockets.push(socket);
          return socket;
        } as unknown as WebSocketFactory;
        return createChatClient({ ...options, WebSocket, clock, storage: new MemoryStorage() });
      },
    })({ organization: 'acme', endpoint: 'acme-demo', debug: true });
    clock.advance(50);
    const handle = sockets[0]!.onmessage!;
    sockets[0]!.onmessage = () => {
      throw new Error('a built-in the page broke');
    };
    server.botSay(server.last.chatId!, 'hello');
    expect(() => clock.advance(50)).not.toThrow();
    expect(errors).toHaveBeenCalledWith('[ServisBot]', 'the widget failed', new Error('a built-in the page broke'));
    sockets[0]!.onmessage = handle;
  });

  it('pushes arriving while the page has broken Array.prototype.includes throw nothing into the page; then the conversation goes on', () => {
    const { clock, server, view } = start();
    const chatId = server.last.chatId!;
    withBrokenArrays(['includes'], () => {
      server.botSay(chatId, 'while includes is broken');
      clock.advance(50);
    });
    server.botSay(chatId, 'after');
    // Time enough for a resume, should the client have dropped the socket over the lost push.
    clock.advance(25_000);
    expect(view.querySelector('.rd-log')!.textContent).toContain('after');
  });

  it('API methods do not throw for valid input while JSON is broken; bad input still throws a TypeError', async () => {
    const { api } = start();
    const settled = withBrokenJson(() => {
      const calls = [api.pageEvent('viewed-pricing'), api.pageEvent({ alias: 'checkout', body: { plan: 'pro' } }), api.rewriteContext({ plan: 'gold' }), api.reset()];
      api.open();
      api.close();
      let invalid = 'no error';
      try {
        api.pageEvent({ alias: 'checkout', body: [] as never });
      } catch (error) {
        invalid = `${(error as Error).name}: ${(error as Error).message}`;
      }
      return { calls: calls.map((call) => call.catch(() => 'rejected')), invalid };
    });
    expect(settled.invalid).toBe('TypeError: ServisBot.pageEvent: body must be a plain object');
    expect(await settled.calls[1]).toBe('rejected');
    expect(await settled.calls[2]).toBe('rejected');
  });

  it('destroy goes through every step even when some fail (Array.prototype methods the page broke)', () => {
    const { api, server } = start();
    const socket = server.last.socket;
    // Not every method: happy-dom's own DOM code needs some, where a browser's is native.
    withBrokenArrays(['filter', 'map'], () => api.destroy());
    expect(document.getElementById('servisbot-messenger')).toBeNull();
    expect(socket.closedWith?.code).toBe(1000);
  });
});
