/**
 * The bundle entry's three ways in (messenger.ts): ServisBot.init, the zero-JS tag and the async
 * snippet's queue, over FakeClients (browser.ts is mocked: no real sockets in unit tests).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClient } from './fake-client.fixture';
import type { MessengerDeps } from './deps';
import type { MessengerApi } from './types';
import { LAZY } from './lazy.fixture';

let clients: FakeClient[] = [];

beforeEach(() => {
  clients = [];
  vi.resetModules();
  vi.doMock('./browser', () => ({
    browserDeps: (_loadPanel: unknown, defaultServerUrl: () => string): MessengerDeps => ({
      window,
      defaultServerUrl,
      loadPanel: () => LAZY,
      createClient: (options) => {
        const client = new FakeClient(options);
        clients.push(client);
        return client;
      },
    }),
  }));
});

afterEach(() => {
  window.ServisBot?.instance?.destroy();
  vi.doUnmock('./browser');
  document.head.replaceChildren();
  const globals = window as unknown as Record<string, unknown>;
  delete globals.ServisBot;
  delete globals.ServisBOT;
});

/** A `<script src=".../messenger.js">` with these data-* attributes (type text/plain: happy-dom must not fetch it). */
function scriptTag(attributes: Record<string, string>): HTMLScriptElement {
  const script = document.createElement('script');
  script.type = 'text/plain';
  script.setAttribute('src', 'https://chat.example.com/static/messenger.js');
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(`data-${name}`, value);
  document.head.append(script);
  return script;
}

describe('the zero-JS tag', () => {
  it('initialises from its data-* attributes, with the script origin as serverUrl, and announces the instance', async () => {
    scriptTag({ organization: 'acme', endpoint: 'acme-demo', 'always-open': 'true', context: '{"a":1}' });
    const ready: unknown[] = [];
    const listener = (event: Event) => ready.push((event as CustomEvent<MessengerApi>).detail);
    window.addEventListener('servisbot:ready', listener);
    await import('./messenger');
    window.removeEventListener('servisbot:ready', listener);

    const api = window.ServisBot.instance!;
    expect(ready).toEqual([api]);
    expect(clients).toHaveLength(1);
    expect(clients[0]!.options.url).toBe('wss://chat.example.com/ws?organization=acme&endpoint=acme-demo');
    expect(clients[0]!.options.getContext()).toEqual({ a: 1 });
    expect(window.ServisBot.init({ organization: 'acme', endpoint: 'acme-demo' })).toBe(api);
    api.destroy();
    expect(window.ServisBot.instance).toBeUndefined();
  });

  it('does nothing without data-organization, and throws a bad attribute only after ServisBot exists', async () => {
    scriptTag({});
    await import('./messenger');
    expect(clients).toHaveLength(0);
    expect(window.ServisBot.instance).toBeUndefined();

    vi.resetModules();
    delete (window as unknown as Record<string, unknown>).ServisBot;
    document.head.replaceChildren();
    scriptTag({ organization: 'acme', endpoint: 'acme-demo', dir: 'up' });
    await expect(import('./messenger')).rejects.toThrow(new TypeError("ServisBot.init: option \"dir\" must be 'ltr' or 'rtl'"));
    expect(typeof window.ServisBot.init).toBe('function');
  });
});

describe('the async snippet', () => {
  it('replaces the stub and replays what the page called before the bundle loaded', async () => {
    const q: unknown[] = [];
    const seen: unknown[] = [];
    (window as unknown as { ServisBot: unknown }).ServisBot = { q };
    q.push(['init', [{ organization: 'acme', endpoint: 'acme-demo' }]]);
    q.push(['on', ['notification', (message: unknown) => seen.push(message)]]);
    q.push(['pageEvent', ['checkout']]);
    await import('./messenger');

    expect(Object.keys(window.ServisBot).sort()).toEqual(['init', 'instance', 'version']);
    expect(window.ServisBOT).toBe(window.ServisBot);
    expect(clients).toHaveLength(1);
    expect(clients[0]!.calls.map((call) => call.method)).toEqual(['connect', 'pageEvent']);
    clients[0]!.emit('push', { action: 'host_notification', type: 'push', payload: { chat_id: 'c', seq: 1, message: 'hello' } });
    expect(seen).toEqual(['hello']);
  });
});
