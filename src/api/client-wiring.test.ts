/**
 * The api layer over the real ChatClient, against the client's in-memory fake server and clock:
 * checks that the client's events mean what the api assumes (types.ts cannot).
 */
import { act, fireEvent, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatClient } from '../client';
import { FakeClock } from '../client/testing/fake-clock';
import { FakeServer } from '../client/testing/fake-server';
import { MemoryStorage } from '../client/testing/memory-storage';
import { createInit } from './init';
import type { MessengerApi, MessengerEvent } from './types';
import { LAZY } from './lazy.fixture';

let api: MessengerApi | undefined;
afterEach(() => api?.destroy());

function start() {
  const clock = new FakeClock();
  const server = new FakeServer(clock, { echo: false });
  const init = createInit({
    window,
    defaultServerUrl: () => 'http://127.0.0.1:8080',
    loadPanel: () => LAZY,
    createClient: (options) => createChatClient({ ...options, WebSocket: server.WebSocket, clock, storage: new MemoryStorage() }),
  });
  api = init({ organization: 'acme', endpoint: 'acme-demo', alwaysOpen: true, context: { page: '/pricing' } });
  const messenger: MessengerEvent[] = [];
  const notifications: string[] = [];
  api.on('Messenger', (event) => messenger.push(event));
  api.on('notification', (message) => notifications.push(message));
  const view = within(document.getElementById('servisbot-messenger')!.shadowRoot as unknown as HTMLElement);
  return { api, clock, server, messenger, notifications, view };
}

describe('api over the real ChatClient', () => {
  it('loads, sends, echoes, notifies, resets and closes the socket', async () => {
    const { api, clock, server, messenger, notifications, view } = start();
    expect(server.last.socket.url).toBe('ws://127.0.0.1:8080/ws?organization=acme&endpoint=acme-demo');
    clock.advance(50);
    const firstChat = server.last.chatId!;
    expect(messenger).toEqual([{ type: 'CONVERSATION', value: 'Ready', conversationId: `thread-${firstChat}`, chatId: firstChat }]);
    expect(server.chat(firstChat).context).toEqual({ page: '/pricing' });
    const log = within(view.getByRole('log'));
    expect(log.getByText('Welcome!')).toBeTruthy();

    const box = view.getByRole('textbox', { name: 'Message' });
    await act(() => {
      fireEvent.input(box, { target: { value: 'hello' } });
    });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(log.getByText('Sending…')).toBeTruthy();
    clock.advance(50);
    expect(log.getAllByText('hello')).toHaveLength(1);
    expect(log.queryByText('Sending…')).toBeNull();

    server.notify(firstChat, 'SB:::UserInputDisabled');
    server.notify(firstChat, 'cart-updated');
    clock.advance(50);
    expect((box as HTMLTextAreaElement).disabled).toBe(true);
    expect(notifications).toEqual(['cart-updated']);

    const accepted = api.pageEvent({ alias: 'viewed-pricing', body: { plan: 'pro' } });
    clock.advance(50);
    await accepted;
    expect(server.chat(firstChat).pageEvents).toMatchObject([{ alias: 'viewed-pricing', body: { plan: 'pro' } }]);

    const reset = api.reset();
    clock.advance(50);
    await reset;
    const secondChat = server.last.chatId!;
    expect(secondChat).not.toBe(firstChat);
    expect(messenger).toEqual([
      { type: 'CONVERSATION', value: 'Ready', conversationId: `thread-${firstChat}`, chatId: firstChat },
      { type: 'CONVERSATION', value: 'First User Interaction' },
      { type: 'CONVERSATION', value: 'Ready', conversationId: `thread-${secondChat}`, chatId: secondChat },
    ]);
    expect((view.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).disabled).toBe(false);
    expect(log.queryByText('hello')).toBeNull();

    const socket = server.last.socket;
    api.destroy();
    expect(socket.closedWith?.code).toBe(1000);
  });

  it('throws a TypeError named after the method for arguments the client refuses, and sends nothing', () => {
    const { api, clock, server } = start();
    clock.advance(50);
    const chatId = server.last.chatId!;
    const refused = (call: () => unknown) => {
      try {
        call();
        return 'no error';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    };
    expect([
      refused(() => api.pageEvent('')),
      refused(() => api.pageEvent(42 as never)),
      refused(() => api.pageEvent({ alias: 'a', body: [] as never })),
      refused(() => api.pageEvent({ alias: 'a', body: { big: 'x'.repeat(17_000) } })),
      refused(() => api.rewriteContext('gold' as never)),
    ]).toEqual([
      'TypeError: ServisBot.pageEvent: alias must be a non-empty string',
      'TypeError: ServisBot.pageEvent: alias must be a non-empty string',
      'TypeError: ServisBot.pageEvent: body must be a plain object',
      'TypeError: ServisBot.pageEvent: body must serialise to at most 16384 characters of JSON',
      'TypeError: ServisBot.rewriteContext: context must be a plain object',
    ]);
    clock.advance(50);
    expect(server.chat(chatId).pageEvents).toEqual([]);
  });

  it('shows the outbox a previous page stored as "Sending…" once the chunk arrives, and sends it after Ready', () => {
    const clock = new FakeClock();
    const server = new FakeServer(clock, { echo: false });
    const storage = new MemoryStorage();
    const item = { kind: 'message', customId: 'c-previous', text: 'sent from the previous page', createdAt: '2026-01-01T00:00:00.000Z' };
    storage.setItem('roundel:acme:acme-demo', JSON.stringify({ lastSeq: 0, outbox: [item] }));
    // alwaysOpen: the chunk loads at once, before the conversation is Ready.
    api = createInit({
      window,
      defaultServerUrl: () => 'http://127.0.0.1:8080',
      loadPanel: () => LAZY,
      createClient: (options) => createChatClient({ ...options, WebSocket: server.WebSocket, clock, storage }),
    })({ organization: 'acme', endpoint: 'acme-demo', alwaysOpen: true });
    const log = within(within(document.getElementById('servisbot-messenger')!.shadowRoot as unknown as HTMLElement).getByRole('log'));
    expect(log.getByText('sent from the previous page')).toBeTruthy();
    expect(log.getByText('Sending…')).toBeTruthy();
    clock.advance(50);
    expect(server.countCustomId('send_event', 'c-previous')).toBe(1);
  });

  it('a floating widget loads its chunk only after Ready, at once when page events wait for its queues', async () => {
    const clock = new FakeClock();
    const server = new FakeServer(clock, { echo: false });
    const loads: string[] = [];
    api = createInit({
      window,
      defaultServerUrl: () => 'http://127.0.0.1:8080',
      loadPanel: () => {
        loads.push(server.last.chatId === undefined ? 'before Ready' : 'after Ready');
        return LAZY;
      },
      createClient: (options) => createChatClient({ ...options, WebSocket: server.WebSocket, clock, storage: new MemoryStorage() }),
    })({ organization: 'acme', endpoint: 'acme-demo' });
    const ready: MessengerEvent[] = [];
    api.on('Messenger', (event) => ready.push(event));
    // Called at once, as host pages do: held until the queues arrive, never a reason to load them before Ready.
    const accepted = api.pageEvent({ alias: 'viewed-pricing', body: { plan: 'pro' } });
    expect(loads).toEqual([]);
    clock.advance(50);
    expect(ready.map((event) => event.value)).toEqual(['Ready']);
    expect(loads).toEqual(['after Ready']);
    clock.advance(50);
    await accepted;
    expect(server.chat(server.last.chatId!).pageEvents).toMatchObject([{ alias: 'viewed-pricing', body: { plan: 'pro' } }]);
  });
});
