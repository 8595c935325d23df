/** What the api layer derives for the UI: the unread badge (persisted) and the endpoint's texts in the widget's language. */
import { fireEvent, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSettings } from '../protocol';
import { botMessage } from '../ui/pushes.fixture';
import { fakeInit } from './fake-client.fixture';
import { currentInstance } from './init';

afterEach(() => {
  currentInstance()?.destroy();
  localStorage.clear();
});

const widget = () => within(document.getElementById('servisbot-messenger')!.shadowRoot as unknown as HTMLElement);
/** The roundel's description (the unread count), or null without one. */
const badge = () => {
  const root = document.getElementById('servisbot-messenger')!.shadowRoot!;
  const id = root.querySelector('.rd-roundel')!.getAttribute('aria-describedby');
  return id ? root.getElementById(id)!.textContent : null;
};

function start(options: Record<string, unknown> = {}, settings: ChatSettings = { title: 'Acme', theme: {} }) {
  const harness = fakeInit();
  const api = harness.init({ organization: 'acme', endpoint: 'acme-demo', ...options });
  const client = harness.clients[0]!;
  const load = (history = [botMessage(1, 'Welcome')]) =>
    client.emit('conversation', { chatId: 'chat-1', threadId: 'thread-1', settings, history, isNewConversation: true });
  return { api, client, load };
}

describe('unread badge', () => {
  it('counts bot messages the visitor has not seen, and clears when the messenger opens', () => {
    const { api, client, load } = start();
    load();
    expect(badge()).toBe('Unread messages: 1');
    client.emit('push', botMessage(2, 'Still there?'));
    expect(badge()).toBe('Unread messages: 2');
    api.open();
    client.emit('push', botMessage(3, 'Seen at once'));
    api.close();
    expect(badge()).toBeNull();
    client.emit('push', botMessage(4, 'While closed'));
    expect(badge()).toBe('Unread messages: 1');
  });

  it('remembers what was seen across a reload of the page', () => {
    const first = start();
    first.load([botMessage(1, 'Welcome'), botMessage(2, 'Offer')]);
    first.api.open();
    expect(localStorage.getItem('roundel:acme:acme-demo:seen')).toBe('ev-2');
    first.api.destroy();

    const reloaded = start();
    reloaded.load([botMessage(1, 'Welcome'), botMessage(2, 'Offer'), botMessage(3, 'Later')]);
    expect(badge()).toBe('Unread messages: 1');
    fireEvent.click(widget().getByRole('button', { name: 'Open chat' }));
    expect(badge()).toBeNull();
  });

  it('shows no badge with alwaysOpen: everything is seen', () => {
    const { load } = start({ alwaysOpen: true });
    load();
    expect(widget().queryByRole('button', { name: /chat/ })).toBeNull();
    expect(localStorage.getItem('roundel:acme:acme-demo:seen')).toBe('ev-1');
  });
});

describe("the endpoint's texts in the widget's language", () => {
  const settings: ChatSettings = {
    title: 'Help',
    subtitle: 'We reply fast',
    theme: {},
    titles: { en: 'Help', es: 'Ayuda', 'pt-BR': 'Ajuda' },
    subtitles: { en: 'We reply fast', es: 'Respondemos rápido' },
  };

  it('picks the title and subtitle for lang, else the default ones', () => {
    const header = () => widget().getByRole('banner').textContent;
    start({ lang: 'es-MX', alwaysOpen: true }, settings).load();
    expect(header()).toBe('AyudaRespondemos rápido');
    currentInstance()!.destroy();
    start({ lang: 'pt-BR', alwaysOpen: true }, settings).load();
    expect(header()).toBe('AjudaWe reply fast');
    currentInstance()!.destroy();
    start({ lang: 'de', alwaysOpen: true }, settings).load();
    expect(header()).toBe('HelpWe reply fast');
  });

  it('lets the page title win over every translation', () => {
    start({ lang: 'es', title: 'Soporte Acme', alwaysOpen: true }, settings).load();
    expect(widget().getByRole('banner').textContent).toBe('Soporte AcmeRespondemos rápido');
  });
});
