/** The host events `message` and `unread`, and show()/hide(), over a FakeClient. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lazyWith } from './lazy.fixture';
import { botMessage, hostNotification, postback, visitorMessage } from '../ui/pushes.fixture';
import { fakeInit } from './fake-client.fixture';
import type { HostMessage, MessengerApi } from './types';

let api: MessengerApi | undefined;
afterEach(() => {
  api?.destroy();
  localStorage.clear();
  document.body.replaceChildren();
});

const SETTINGS = { title: 'Help', theme: {} };

function start(options: Record<string, unknown> = {}) {
  const { init, clients } = fakeInit();
  api = init({ organization: 'acme', endpoint: 'acme-demo', ...options });
  const client = clients.at(-1)!;
  const messages: HostMessage[] = [];
  const unread: number[] = [];
  api.on('message', (message) => messages.push(message));
  api.on('unread', (count) => unread.push(count));
  const load = (history = [botMessage(1, 'Welcome')], threadId = 'thread-1') =>
    client.emit('conversation', { chatId: 'chat-1', threadId, settings: SETTINGS, history, isNewConversation: true });
  const root = () => document.getElementById('servisbot-messenger')!.shadowRoot!.querySelector('.rd-root') as HTMLElement;
  return { api, client, messages, unread, load, root };
}

describe('message', () => {
  it('is emitted for live messages of every author and for picked replies (their title), frozen; never for history', () => {
    const { client, messages, load } = start();
    load([botMessage(1, 'old'), visitorMessage(2, 'old too', 'c0')]);
    expect(messages).toEqual([]);
    client.emit('push', botMessage(3, 'Hello'));
    client.emit('push', visitorMessage(4, 'Hi', 'c1'));
    client.emit('push', hostNotification(5, 'cart-updated'));
    client.emit('push', { ...postback(6, 'ev-3', 'buy kettle', 'c2'), payload: { ...postback(6, 'ev-3', 'buy kettle', 'c2').payload, text: 'Buy the kettle' } } as never);
    expect(messages).toEqual([
      { id: 'ev-3', author: 'bot', text: 'Hello', createdAt: '2025-01-01T00:00:00.000Z' },
      { id: 'ev-4', author: 'visitor', text: 'Hi', createdAt: '2025-01-01T00:00:00.000Z' },
      { id: 'postback-6', author: 'visitor', text: 'Buy the kettle', createdAt: '2025-01-01T00:00:00.000Z' },
    ]);
    expect(Object.isFrozen(messages[0])).toBe(true);
  });
});

describe('unread', () => {
  it('announces changes of the count after Ready only, counts while closed or hidden, and 0 once the open panel shows them', () => {
    const { api, client, unread, load } = start();
    client.emit('push', botMessage(1, 'before Ready: not counted yet'));
    expect(unread).toEqual([]);
    load([botMessage(1, 'Welcome')]);
    expect(unread).toEqual([1]);
    client.emit('push', visitorMessage(2, 'hi', 'c1'));
    expect(unread).toEqual([1]);
    client.emit('push', botMessage(3, 'Answer'));
    expect(unread).toEqual([1, 2]);
    api.open();
    expect(unread).toEqual([1, 2, 0]);
    api.hide();
    client.emit('push', botMessage(4, 'While hidden'));
    expect(unread).toEqual([1, 2, 0, 1]);
    api.show();
    expect(unread).toEqual([1, 2, 0, 1, 0]);
  });

  it('a new conversation (reset) starts from its own count', () => {
    const { unread, load } = start();
    load([botMessage(1, 'a'), botMessage(2, 'b')]);
    load([], 'thread-2');
    expect(unread).toEqual([2, 0]);
  });
});

describe('show() / hide()', () => {
  it('hide the whole widget (roundel included) and show it again as it was', () => {
    const { api, load, root } = start();
    load();
    api.open();
    api.hide();
    expect(root().hidden).toBe(true);
    api.show();
    expect(root().hidden).toBe(false);
    expect(root().classList.contains('rd-open')).toBe(true);
  });
});

describe('the lazy chunk', () => {
  it('starts the page reports for agents when it arrives, once, and destroy() stops them', () => {
    const stop = vi.fn();
    const trackPage = vi.fn((_win: Window, report: (page: { url: string; title: string; referrer: string }) => void) => {
      report({ url: 'https://shop.example/', title: 'Shop', referrer: '' });
      return stop;
    });
    const loads: number[] = [];
    const { init, clients } = fakeInit('https://chat.example.com', (attempt) => {
      loads.push(attempt);
      return lazyWith(trackPage);
    });
    api = init({ organization: 'acme', endpoint: 'acme-demo' });
    expect(trackPage).not.toHaveBeenCalled();
    api.open();
    api.close();
    api.open();
    expect(loads).toEqual([0]);
    expect(trackPage).toHaveBeenCalledTimes(1);
    expect(clients[0]!.calls.filter((call) => call.method === 'page')).toEqual([{ method: 'page', args: [{ url: 'https://shop.example/', title: 'Shop', referrer: '' }] }]);
    api.destroy();
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
