import { act, fireEvent, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatSettings, StoredPush } from '../protocol';
import { botMessage, hostNotification, visitorMessage } from '../ui/pushes.fixture';
import { fakeInit, type FakeClient } from './fake-client.fixture';
import type { HostEvents, MessengerApi, MessengerEvent } from './types';

const SETTINGS: ChatSettings = { title: 'Acme support', subtitle: 'We reply fast', theme: { primary: '#123456' } };
const OPTIONS = { organization: 'acme', endpoint: 'acme-demo' };

let harness: ReturnType<typeof fakeInit>;
let apis: MessengerApi[] = [];

beforeEach(() => {
  harness = fakeInit();
});

afterEach(() => {
  for (const api of apis) api.destroy();
  apis = [];
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

/** init through the fake environment; returns the API, its client, and a recorder of host events. */
function start(options: Record<string, unknown> = {}) {
  const api = harness.init({ ...OPTIONS, ...options });
  apis.push(api);
  const client = harness.clients.at(-1)!;
  const events: { name: keyof HostEvents; payload: unknown }[] = [];
  api.on('notification', (payload) => events.push({ name: 'notification', payload }));
  api.on('Messenger', (payload) => events.push({ name: 'Messenger', payload }));
  const messenger = () => events.filter((e) => e.name === 'Messenger').map((e) => e.payload as MessengerEvent);
  const notifications = () => events.filter((e) => e.name === 'notification').map((e) => e.payload);
  return { api, client, events, messenger, notifications };
}

function hostElement(): HTMLElement | null {
  return document.getElementById('servisbot-messenger');
}

/** Queries inside the widget's shadow root. */
function widget() {
  return within(hostElement()!.shadowRoot as unknown as HTMLElement);
}

function load(client: FakeClient, chatId: string, history: StoredPush[] = []) {
  client.emit('conversation', { chatId, threadId: `thread-${chatId}`, settings: SETTINGS, history, isNewConversation: true });
}

describe('init', () => {
  it('renders #servisbot-messenger into <body> and connects at once, while closed', () => {
    const { client } = start({ context: { plan: 'pro' }, resetOnLoad: true });
    expect(document.body.lastElementChild).toBe(hostElement());
    expect(hostElement()!.shadowRoot!.mode).toBe('open');
    expect(client.calls).toEqual([{ method: 'connect', args: [] }]);
    expect(client.options.url).toBe('wss://chat.example.com/ws?organization=acme&endpoint=acme-demo');
    expect(client.options.storageKey).toBe('roundel:acme:acme-demo');
    // The page's localStorage, reached through (storage.ts): what the client stores lands there.
    client.options.storage.setItem('roundel:probe', 'v');
    expect(window.localStorage.getItem('roundel:probe')).toBe('v');
    window.localStorage.removeItem('roundel:probe');
    expect(client.options.resetOnLoad).toBe(true);
    expect(client.options.getContext()).toEqual({ plan: 'pro' });
    expect(widget().getByRole('button', { name: 'Open chat' }).getAttribute('aria-expanded')).toBe('false');
  });

  it('waits for <body> when init runs from <head> before the body exists', () => {
    const body = document.body;
    body.remove();
    try {
      start();
      expect(hostElement()).toBeNull();
      document.documentElement.append(body);
      document.dispatchEvent(new Event('DOMContentLoaded'));
      expect(body.lastElementChild).toBe(hostElement());
    } finally {
      if (!body.isConnected) document.documentElement.append(body);
    }
  });

  it('returns the living instance when called again, and a fresh one after destroy()', () => {
    const { api } = start();
    expect(harness.init({ organization: 'other', endpoint: 'x' })).toBe(api);
    expect(harness.clients).toHaveLength(1);
    expect(document.querySelectorAll('#servisbot-messenger')).toHaveLength(1);

    api.destroy();
    const { api: fresh } = start();
    expect(fresh).not.toBe(api);
    expect(harness.clients).toHaveLength(2);
    expect(document.querySelectorAll('#servisbot-messenger')).toHaveLength(1);
  });

  it('throws a TypeError naming the option and leaves nothing behind', () => {
    expect(() => harness.init({ organization: 'acme' })).toThrow(new TypeError('ServisBot.init: option "endpoint" must be a non-empty string'));
    expect(() => harness.init({ ...OPTIONS, dir: 'up' })).toThrow(new TypeError("ServisBot.init: option \"dir\" must be 'ltr' or 'rtl'"));
    expect(harness.clients).toHaveLength(0);
    expect(hostElement()).toBeNull();
  });

  it('starts without a messenger, instead of throwing, when the environment fails', async () => {
    vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(() => {
      throw new DOMException('Not supported', 'NotSupportedError');
    });
    const api = harness.init(OPTIONS);
    expect(hostElement()).toBeNull();
    expect(harness.clients.map((client) => client.calls)).toEqual([[]]);
    expect(() => api.open()).not.toThrow();
    await expect(api.pageEvent('x')).rejects.toThrow('ServisBot: the messenger could not start');
    // Nothing lives, so the next init tries again.
    vi.restoreAllMocks();
    expect(start().api).not.toBe(api);
  });

  it('connects before it mounts, and closes the connection again when mounting fails after all', () => {
    vi.spyOn(ShadowRoot.prototype, 'append').mockImplementation(() => {
      throw new Error('a built-in the page broke');
    });
    const api = harness.init(OPTIONS);
    expect(hostElement()).toBeNull();
    expect(harness.clients.map((client) => client.calls.map((call) => call.method))).toEqual([['connect', 'destroy']]);
    expect(() => api.open()).not.toThrow();
    vi.restoreAllMocks();
    expect(start().api).not.toBe(api);
  });

  it('logs unknown options with debug, and nothing without it', () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    start({ colour: 'red' }).api.destroy();
    expect(debug).not.toHaveBeenCalled();
    start({ colour: 'red', debug: true });
    expect(debug).toHaveBeenCalledWith('[ServisBot]', 'ignored unknown options: colour');
  });
});

describe('display options', () => {
  it('container: renders inside it, open, with no roundel, and open/close/toggle do nothing', () => {
    const box = document.createElement('div');
    box.id = 'chat';
    document.body.append(box);
    const { api, messenger } = start({ container: '#chat' });
    expect(box.firstElementChild).toBe(hostElement());
    expect(widget().queryAllByRole('button', { name: /chat/ })).toHaveLength(0);
    expect(widget().getByRole('log')).toBeTruthy();
    api.close();
    api.toggle();
    api.open();
    expect(widget().getByRole('log')).toBeTruthy();
    expect(messenger()).toEqual([]);
  });

  it('alwaysOpen: no roundel, open, no ROUNDEL events', () => {
    const { api, messenger } = start({ alwaysOpen: true });
    expect(widget().queryAllByRole('button', { name: /chat/ })).toHaveLength(0);
    api.close();
    expect(widget().getByRole('log')).toBeTruthy();
    expect(messenger()).toEqual([]);
  });

  it('title and theme override the endpoint settings; dir reaches the widget', () => {
    const { client } = start({ title: 'Help', theme: { primary: '#ff0000' }, dir: 'rtl', alwaysOpen: true });
    load(client, 'chat-1');
    expect(widget().getByRole('banner').textContent).toBe('HelpWe reply fast');
    expect(hostElement()!.style.getPropertyValue('--rd-primary')).toBe('#ff0000');
    expect(hostElement()!.shadowRoot!.querySelector('[dir]')!.getAttribute('dir')).toBe('rtl');
    client.emit('settings', { title: 'New', theme: { primary: '#000', botBg: '#eee' } });
    expect(widget().getByRole('banner').textContent).toBe('Help');
    expect(hostElement()!.style.getPropertyValue('--rd-primary')).toBe('#ff0000');
    expect(hostElement()!.style.getPropertyValue('--rd-bot-bg')).toBe('#eee');
  });
});

describe('on / off', () => {
  it('on returns an unsubscribe function; off removes a handler', () => {
    const { api, client } = start();
    const seen: string[] = [];
    const first = (m: string) => seen.push(`first:${m}`);
    const second = (m: string) => seen.push(`second:${m}`);
    const unsubscribe = api.on('notification', first);
    api.on('notification', second);
    client.emit('push', hostNotification(1, 'a'));
    unsubscribe();
    client.emit('push', hostNotification(2, 'b'));
    api.off('notification', second);
    client.emit('push', hostNotification(3, 'c'));
    expect(seen).toEqual(['first:a', 'second:a', 'second:b']);
  });

  it('a throwing handler breaks neither the widget nor the next handler', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { api, client, notifications } = start({ debug: true });
    api.on('notification', () => {
      throw new Error('host bug');
    });
    const after: string[] = [];
    api.on('notification', (m) => after.push(m));
    expect(() => client.emit('push', hostNotification(1, 'hello'))).not.toThrow();
    expect(notifications()).toEqual(['hello']);
    expect(after).toEqual(['hello']);
    expect(error).toHaveBeenCalledWith('[ServisBot]', "a 'notification' handler threw", new Error('host bug'));
  });

  it('rejects a handler that is not a function', () => {
    const { api } = start();
    expect(() => api.on('notification', 'nope' as never)).toThrow(new TypeError('ServisBot.on: handler must be a function'));
  });
});

describe('ROUNDEL events', () => {
  it('are emitted for clicks on the roundel', () => {
    const { messenger } = start();
    fireEvent.click(widget().getByRole('button', { name: 'Open chat' }));
    expect(widget().getByRole('button', { name: 'Close chat', expanded: true }).getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(widget().getByRole('button', { name: 'Close chat', expanded: true }));
    expect(messenger()).toEqual([
      { type: 'ROUNDEL', value: 'Opened' },
      { type: 'ROUNDEL', value: 'Closed' },
    ]);
  });

  it('are emitted for open/close/toggle, and not when nothing changes', () => {
    const { api, messenger } = start();
    api.close();
    api.open();
    api.open();
    api.toggle();
    api.toggle();
    expect(messenger()).toEqual([
      { type: 'ROUNDEL', value: 'Opened' },
      { type: 'ROUNDEL', value: 'Closed' },
      { type: 'ROUNDEL', value: 'Opened' },
    ]);
    expect(widget().getByRole('button', { name: 'Close chat', expanded: true })).toBeTruthy();
  });
});

describe('CONVERSATION events', () => {
  it('Ready once per loaded conversation: not on reconnects, again after reset with the new id', async () => {
    const { api, client, messenger } = start();
    client.emit('state', 'connecting');
    load(client, 'chat-1');
    client.emit('state', 'ready');
    client.emit('state', 'reconnecting');
    client.emit('state', 'ready');
    // A resume that could not be recovered reloads the transcript of the same chat.
    load(client, 'chat-1');
    expect(messenger()).toEqual([{ type: 'CONVERSATION', value: 'Ready', conversationId: 'thread-chat-1', chatId: 'chat-1' }]);

    await api.reset();
    expect(client.calls.at(-1)).toEqual({ method: 'startNewChat', args: [] });
    load(client, 'chat-2');
    expect(messenger()).toEqual([
      { type: 'CONVERSATION', value: 'Ready', conversationId: 'thread-chat-1', chatId: 'chat-1' },
      { type: 'CONVERSATION', value: 'Ready', conversationId: 'thread-chat-2', chatId: 'chat-2' },
    ]);
  });

  it('First User Interaction once, on the first message sent or reply picked', async () => {
    const { client, messenger } = start({ alwaysOpen: true });
    load(client, 'chat-1', [botMessage(1, 'Pick one', ['Yes', 'No'])]);
    fireEvent.click(widget().getByRole('button', { name: 'Yes' }));
    await act(() => {
      fireEvent.input(widget().getByRole('textbox', { name: 'Message' }), { target: { value: 'hello' } });
    });
    fireEvent.click(widget().getByRole('button', { name: 'Send' }));
    // The draft goes to agents as a sneak peek, and is cleared once sent.
    expect(client.calls.slice(1).filter((c) => c.method !== 'page')).toEqual([
      { method: 'sendPostback', args: ['ev-1', 'Yes'] },
      { method: 'draft', args: ['hello'] },
      { method: 'sendMessage', args: ['hello'] },
      { method: 'draft', args: [''] },
    ]);
    expect(messenger()).toEqual([
      { type: 'CONVERSATION', value: 'Ready', conversationId: 'thread-chat-1', chatId: 'chat-1' },
      { type: 'CONVERSATION', value: 'First User Interaction' },
    ]);
  });
});

describe('transcript', () => {
  it('shows a sent message as "Sending…" until its echo arrives', async () => {
    const { client } = start({ alwaysOpen: true });
    load(client, 'chat-1');
    await act(() => {
      fireEvent.input(widget().getByRole('textbox', { name: 'Message' }), { target: { value: 'hello' } });
    });
    fireEvent.keyDown(widget().getByRole('textbox', { name: 'Message' }), { key: 'Enter' });
    const log = within(widget().getByRole('log'));
    expect(log.getByText('Sending…')).toBeTruthy();

    client.emit('push', visitorMessage(1, 'hello', 'c1'));
    client.outboxItems = [];
    client.emit('outbox', []);
    expect(log.getAllByText('hello')).toHaveLength(1);
    expect(log.queryByText('Sending…')).toBeNull();
  });

  it('renders bot text as text: an XSS payload stays literal and creates no element', () => {
    const { client } = start({ alwaysOpen: true });
    const payload = '<img src=x onerror="window.__xss=1">';
    load(client, 'chat-1', [botMessage(1, payload)]);
    client.emit('push', botMessage(2, `<script>window.__xss=2</script>${payload}`));
    const shadow = hostElement()!.shadowRoot!;
    expect(within(widget().getByRole('log')).getByText(payload).textContent).toBe(payload);
    expect(shadow.querySelectorAll('img, script')).toHaveLength(0);
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });

  it('shows the typing indicator and the reconnecting banner from client events', () => {
    const { client } = start({ alwaysOpen: true });
    client.emit('typing', true);
    expect(widget().getByText('Typing…')).toBeTruthy();
    client.emit('push', botMessage(1, 'done'));
    expect(widget().queryByText('Typing…')).toBeNull();
    client.emit('state', 'reconnecting');
    expect(widget().getByRole('status').textContent).toBe('Reconnecting…');
    client.emit('state', 'ready');
    expect(widget().getByRole('status').textContent).toBe('');
  });
});

describe('host notifications', () => {
  const composerDisabled = () => {
    const box = widget().getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    const send = widget().getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(send.disabled).toBe(box.disabled);
    return box.disabled;
  };

  it('emits public ones; SB::: ones never reach handlers and toggle the composer', () => {
    const { client, notifications } = start({ alwaysOpen: true });
    load(client, 'chat-1');
    client.emit('push', hostNotification(1, 'cart-updated'));
    client.emit('push', hostNotification(2, 'SB:::UserInputDisabled'));
    expect(composerDisabled()).toBe(true);
    client.emit('push', hostNotification(3, 'SB:::SomethingElse'));
    expect(composerDisabled()).toBe(true);
    client.emit('push', hostNotification(4, 'SB:::UserInputEnabled'));
    expect(composerDisabled()).toBe(false);
    client.emit('push', hostNotification(5, 'sb:::not-private'));
    expect(notifications()).toEqual(['cart-updated', 'sb:::not-private']);
  });

  it('history re-emits nothing; its last input notification sets the composer state', () => {
    const { client, notifications } = start({ alwaysOpen: true });
    load(client, 'chat-1', [hostNotification(1, 'old news'), hostNotification(2, 'SB:::UserInputDisabled')]);
    expect(notifications()).toEqual([]);
    expect(composerDisabled()).toBe(true);
    load(client, 'chat-2', [hostNotification(1, 'SB:::UserInputDisabled'), hostNotification(2, 'SB:::UserInputEnabled')]);
    expect(composerDisabled()).toBe(false);
  });

  it('textInputDisabled is the initial state and the state of a conversation without input notifications', () => {
    const { client } = start({ alwaysOpen: true, textInputDisabled: true });
    expect(composerDisabled()).toBe(true);
    client.emit('push', hostNotification(1, 'SB:::UserInputEnabled'));
    expect(composerDisabled()).toBe(false);
    load(client, 'chat-2', [botMessage(1, 'hi')]);
    expect(composerDisabled()).toBe(true);
  });
});

describe('pageEvent / rewriteContext / reset', () => {
  it('pageEvent sends an alias or { alias, body } and returns the client promise', async () => {
    const { api, client } = start();
    const body = { plan: 'pro' };
    await api.pageEvent('checkout');
    await api.pageEvent({ alias: 'viewed-pricing', body });
    expect(client.calls.slice(1)).toEqual([
      { method: 'pageEvent', args: ['checkout', undefined] },
      { method: 'pageEvent', args: ['viewed-pricing', { plan: 'pro' }] },
    ]);
  });

  it("throws the client's TypeError for bad arguments, named after the method (validation: client-wiring.test.ts)", () => {
    const { api, client } = start();
    client.pageEvent = () => {
      throw new TypeError('alias must be a non-empty string');
    };
    expect(() => api.pageEvent('')).toThrow(new TypeError('ServisBot.pageEvent: alias must be a non-empty string'));
  });

  it('a refusal rejects with an Error carrying the error type', async () => {
    const { api, client } = start();
    client.result = () => Promise.reject({ type: 'validation', message: 'alias is too long' });
    await expect(api.pageEvent('x')).rejects.toMatchObject({ message: 'ServisBot: alias is too long', type: 'validation' });
  });

  it('rewriteContext replaces (a copy of) the context for new conversations and updates the server', async () => {
    const { api, client } = start({ context: { a: 1 } });
    const next = { b: 2 };
    await api.rewriteContext(next);
    next.b = 3;
    expect(client.options.getContext()).toEqual({ b: 2 });
    expect(client.calls.at(-1)).toEqual({ method: 'updateContext', args: [{ b: 3 }] });
  });
});

describe('browser connectivity', () => {
  it("forwards the window's online/offline events to the client until destroy", () => {
    const { api, client } = start();
    window.dispatchEvent(new Event('offline'));
    window.dispatchEvent(new Event('online'));
    api.destroy();
    window.dispatchEvent(new Event('online'));
    expect(client.calls.map((c) => c.method)).toEqual(['connect', 'onOffline', 'onOnline', 'destroy']);
  });
});

describe('destroy', () => {
  it('removes every window and document listener it added', () => {
    const added: [string, unknown][] = [];
    const removed: [string, unknown][] = [];
    for (const target of [window, document]) {
      vi.spyOn(target, 'addEventListener').mockImplementation((type: string, listener: unknown) => void added.push([type, listener]));
      vi.spyOn(target, 'removeEventListener').mockImplementation((type: string, listener: unknown) => void removed.push([type, listener]));
    }
    start().api.destroy();
    // The page tracker (popstate) starts with the lazy chunk, not at init (host-events.test.ts).
    expect(added.map(([type]) => type).sort()).toEqual(['offline', 'online']);
    expect(removed).toEqual(expect.arrayContaining(added));
  });

  it('removes the host element, closes the client, unsubscribes, and later calls do nothing', async () => {
    const { api, client, events } = start();
    api.destroy();
    api.destroy();
    expect(hostElement()).toBeNull();
    expect(client.calls.filter((c) => c.method === 'destroy')).toHaveLength(1);
    expect(client.listenerCount).toBe(0);

    client.emit('push', hostNotification(1, 'late'));
    api.open();
    api.on('notification', () => events.push({ name: 'notification', payload: 'late handler' }));
    expect(events).toEqual([]);
    await expect(api.pageEvent('x')).rejects.toThrow('ServisBot: the messenger was destroyed');
    await expect(api.reset()).rejects.toThrow('ServisBot: the messenger was destroyed');
  });
});
