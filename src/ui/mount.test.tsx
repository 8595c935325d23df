import { act, fireEvent, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AT, bot, FLOATING, PANEL, setup, togglesStore, visitor } from './mount.fixture';
import { mount } from './shell';
import { hostNotification, threadClosed } from './pushes.fixture';
import { createUiStore } from './state';
import css from './shell.css?inline';
import { shortTime } from './format';
import type { StoredPush } from '../protocol';

describe('mount', () => {
  it('renders into an open shadow root with its styles adopted, nothing in the light DOM', () => {
    const { host, shadow } = setup();
    expect(host.shadowRoot?.mode).toBe('open');
    expect(host.children).toHaveLength(0);
    expect(shadow.adoptedStyleSheets).toHaveLength(1);
    expect(shadow.querySelector('.rd-root')).not.toBeNull();
  });

  it('unmount removes what it added and is idempotent', () => {
    const { host, shadow, widget, store } = setup({}, { settings: { title: 't', theme: { primary: 'red' } } });
    expect(host.style.getPropertyValue('--rd-primary')).toBe('red');
    widget.unmount();
    widget.unmount();
    expect(shadow.childNodes).toHaveLength(0);
    expect(shadow.adoptedStyleSheets).toHaveLength(0);
    expect(host.style.getPropertyValue('--rd-primary')).toBe('');
    store.set({ open: true });
    expect(shadow.childNodes).toHaveLength(0);
  });

  it('sets theme keys as --rd-* custom properties on the host and drops the previous theme', () => {
    const { host, store } = setup({}, { settings: { title: '', theme: { primary: '#111', headerBg: '#222' } } });
    expect(host.style.getPropertyValue('--rd-primary')).toBe('#111');
    expect(host.style.getPropertyValue('--rd-header-bg')).toBe('#222');
    store.set({ settings: { title: '', theme: { 'visitor-bg': '#333', 'bad key;': 'x' } } });
    expect(host.style.getPropertyValue('--rd-primary')).toBe('');
    expect(host.style.getPropertyValue('--rd-visitor-bg')).toBe('#333');
    expect(host.getAttribute('style')).toBe('--rd-visitor-bg: #333;');
  });
});

describe('styles without constructable stylesheets (Safari < 16.4, Firefox < 101)', () => {
  /** A host whose shadow root has no adoptedStyleSheets, or whose CSSStyleSheet cannot be constructed. */
  function mountWithout(what: 'adoptedStyleSheets' | 'CSSStyleSheet', nonce?: string) {
    const host = document.createElement('div');
    document.body.append(host);
    const shadow = host.attachShadow({ mode: 'open' });
    if (what === 'adoptedStyleSheets') Object.defineProperty(shadow, 'adoptedStyleSheets', { value: undefined });
    else vi.spyOn(window, 'CSSStyleSheet').mockImplementation(() => {
      throw new TypeError('Illegal constructor');
    });
    const intents = { onToggle: vi.fn(), onSend: vi.fn(), onPickReply: vi.fn() };
    const widget = mount(host, { store: createUiStore(), display: FLOATING, intents, nonce, serverUrl: 'https://chat.example.com', loadPanel: () => PANEL, setTimeout, clearTimeout });
    return { host, shadow, widget };
  }

  afterEach(() => {
    vi.restoreAllMocks();
    document.body.replaceChildren();
  });

  it.each(['adoptedStyleSheets', 'CSSStyleSheet'] as const)('without %s: a <style nonce> first in the shadow root, removed on unmount', (what) => {
    const { shadow, widget } = mountWithout(what, 'r4nd0m');
    const style = shadow.firstElementChild as HTMLStyleElement;
    expect(style.localName).toBe('style');
    expect(style.getAttribute('nonce')).toBe('r4nd0m');
    expect(style.textContent).toBe(css);
    expect(shadow.querySelectorAll('style')).toHaveLength(1);
    expect(shadow.querySelector('.rd-root')).not.toBeNull();
    widget.unmount();
    expect(shadow.childNodes).toHaveLength(0);
  });

  it('without a nonce: a <style> with no nonce attribute (for pages without a style-src policy)', () => {
    const { shadow } = mountWithout('adoptedStyleSheets');
    expect(shadow.firstElementChild!.localName).toBe('style');
    expect(shadow.firstElementChild!.hasAttribute('nonce')).toBe(false);
  });
});

describe('roundel', () => {
  it('is named "Open chat" while closed, raises onToggle, and becomes "Close chat" when open', () => {
    const { view, intents, store } = setup();
    const roundel = view.getByRole('button', { name: 'Open chat' });
    expect(roundel.getAttribute('aria-expanded')).toBe('false');
    expect(view.queryByRole('log')).toBeNull();

    fireEvent.click(roundel);
    expect(intents.onToggle).toHaveBeenCalledTimes(1);
    store.set({ open: true });

    expect(view.getByRole('button', { name: 'Close chat', expanded: true }).getAttribute('aria-controls')).toBe('rd-panel');
    expect(view.queryByRole('button', { name: 'Open chat' })).toBeNull();
    expect(view.getByRole('log').getAttribute('aria-live')).toBe('polite');
  });

  it('has a header "Close chat" that panel.css shows only where no roundel can close (displayRoundel false, phones)', () => {
    const { view, shadow } = setup({}, { open: true, settings: { title: 'Acme', subtitle: 'We reply fast', theme: {} } });
    // happy-dom applies no adopted stylesheet: both are in the tree here; panel.css hides the header's beside a roundel.
    const [header, roundel] = view.getAllByRole('button', { name: 'Close chat' });
    expect([header!.className, roundel!.className]).toEqual(['rd-close', 'rd-roundel']);
    expect(shadow.querySelector('.rd-root')!.classList.contains('rd-noroundel')).toBe(false);
    expect(view.getByRole('banner').textContent).toBe('AcmeWe reply fast');
  });

  it('without a roundel, the header "Close chat" closes the panel; none with alwaysOpen or inline', () => {
    const { view, shadow, store } = togglesStore(setup({ displayRoundel: false }, { open: true }));
    expect(shadow.querySelector('.rd-root')!.classList.contains('rd-noroundel')).toBe(true);
    fireEvent.click(view.getByRole('button', { name: 'Close chat' }));
    expect(store.get().open).toBe(false);
    expect(view.getByRole('region', { hidden: true }).hidden).toBe(true);
    for (const display of [{ alwaysOpen: true }, { inline: true }]) {
      expect(setup(display).view.queryByRole('button', { name: 'Close chat' })).toBeNull();
    }
  });

  it('closes on Escape, in the panel or on the roundel, and gives the roundel focus back', () => {
    const { view, intents, shadow, store } = togglesStore(setup({}, { open: true }));
    fireEvent.keyDown(view.getByRole('textbox', { name: 'Message' }), { key: 'Escape' });
    expect(store.get().open).toBe(false);
    expect(shadow.activeElement).toBe(view.getByRole('button', { name: 'Open chat' }));
    fireEvent.keyDown(view.getByRole('button', { name: 'Open chat' }), { key: 'Escape' });
    expect(intents.onToggle).toHaveBeenCalledTimes(1);

    store.set({ open: true });
    fireEvent.keyDown(view.getByRole('button', { name: 'Close chat', expanded: true }), { key: 'Escape' });
    expect(intents.onToggle).toHaveBeenCalledTimes(2);
    expect(shadow.activeElement).toBe(view.getByRole('button', { name: 'Open chat' }));
  });

  it('moves focus to the textbox when the visitor opens the panel, not when the host page does', async () => {
    const byHost = setup();
    await act(() => byHost.store.set({ open: true }));
    expect(document.activeElement).toBe(document.body);

    const { view, shadow } = togglesStore(setup());
    await act(() => {
      fireEvent.click(view.getByRole('button', { name: 'Open chat' }));
    });
    expect(shadow.activeElement).toBe(view.getByRole('textbox', { name: 'Message' }));
  });

  it('is absent with displayRoundel false, alwaysOpen or inline; the last two are always open', () => {
    const hidden = setup({ displayRoundel: false });
    expect(hidden.view.queryAllByRole('button', { name: /chat/ })).toHaveLength(0);
    expect(hidden.view.queryByRole('log')).toBeNull();
    // Nothing asked for the panel yet: it loads at the first open (or when preloaded).
    expect(hidden.loads).toEqual([]);

    for (const display of [{ alwaysOpen: true }, { inline: true }]) {
      const { view, host } = setup(display);
      expect(view.queryAllByRole('button', { name: /chat/ })).toHaveLength(0);
      expect(view.getByRole('log')).toBeTruthy();
      expect(host.hasAttribute('data-rd-inline')).toBe('inline' in display);
    }
  });

  it('puts dir and lang on the widget root', () => {
    const { shadow } = setup({ dir: 'rtl', lang: 'ar' });
    const root = shadow.querySelector('.rd-root')!;
    expect(root.getAttribute('dir')).toBe('rtl');
    expect(root.getAttribute('lang')).toBe('ar');
  });
});

describe('panel', () => {
  it('shows the default title until settings arrive and no header with displayHeader false', () => {
    expect(setup({ alwaysOpen: true }).view.getByRole('banner').textContent).toBe('Chat');
    expect(setup({ alwaysOpen: true, displayHeader: false }).view.queryByRole('banner')).toBeNull();
  });

  it('renders bot and host text as text, never as markup', () => {
    const payload = '<img src=x onerror="window.__xss=1">';
    const { view, shadow } = setup({ alwaysOpen: true }, { pushes: [bot('e1', payload)], settings: { title: payload, theme: {} } });
    expect(within(view.getByRole('log')).getByText(payload).textContent).toBe(payload);
    expect(view.getByRole('banner').textContent).toBe(payload);
    expect(shadow.querySelectorAll('img')).toHaveLength(0);
  });

  it('shows a pending message as "Sending…" until its echo arrives', () => {
    const { view, store } = setup({ alwaysOpen: true }, { pending: [{ customId: 'c1', text: 'hello', at: AT }] });
    const log = within(view.getByRole('log'));
    expect(log.getByText('Sending…')).toBeTruthy();

    store.set({ pushes: [visitor('e2', 'hello', 'c1')] });
    expect(log.getAllByText('hello')).toHaveLength(1);
    expect(log.queryByText('Sending…')).toBeNull();
    expect(log.getByText('Sent')).toBeTruthy();
  });

  it('shows "Conversation ended" where the bot closed the conversation', () => {
    const { view } = setup({ alwaysOpen: true }, { pushes: [bot('e1', 'bye'), threadClosed(9)] });
    expect(view.getByRole('log').textContent).toBe(`Bot: bye${shortTime(AT, 'en')}Conversation ended`);
  });

  it('shows a "Reconnecting…" status only while reconnecting', () => {
    const { view, store } = setup({ alwaysOpen: true }, { connection: 'reconnecting' });
    expect(view.getByRole('status').textContent).toBe('Reconnecting…');
    store.set({ connection: 'ready' });
    // The live region stays in place (so the next text in it is announced), empty.
    expect(view.getByRole('status').textContent).toBe('');
  });

  it('shows the typing indicator while the bot types', () => {
    const { view, store } = setup({ alwaysOpen: true }, { typing: true });
    expect(view.getByText('Typing…')).toBeTruthy();
    store.set({ typing: false });
    expect(view.queryByText('Typing…')).toBeNull();
  });

  it('names the agent who types (the bot stays nameless)', () => {
    const { view, store } = setup({ alwaysOpen: true }, { typing: 'Alice' });
    expect(view.getByText('Alice is typing…')).toBeTruthy();
    expect(view.queryByText('Typing…')).toBeNull();
    store.set({ typing: true });
    expect(view.queryByText('Alice is typing…')).toBeNull();
    expect(view.getByText('Typing…')).toBeTruthy();
  });

  it('keeps the transcript scrolled to the newest message', async () => {
    const { shadow, store } = setup({ alwaysOpen: true });
    const scroller = shadow.querySelector<HTMLElement>('.rd-log')!;
    Object.defineProperty(scroller, 'scrollHeight', { configurable: true, value: 900 });
    await act(() => store.set({ pushes: [bot('e1', 'newest')] }));
    expect(scroller.scrollTop).toBe(900);
  });

  it('catches a render error at the root and renders again on the next state', async () => {
    const { view, store, intents } = setup({ alwaysOpen: true });
    const broken = bot('bad', '') as StoredPush & { action: 'incoming_event' };
    Object.defineProperty(broken.payload.event, 'text', { get: () => { throw new Error('boom'); } });
    // The boundary's re-render after the error is scheduled, hence act().
    await act(() => store.set({ pushes: [broken] }));
    expect(intents.onError).toHaveBeenCalledWith(new Error('boom'));
    expect(view.queryByRole('log')).toBeNull();

    store.set({ pushes: [bot('e1', 'recovered')] });
    expect(within(view.getByRole('log')).getByText('recovered')).toBeTruthy();
  });
});

describe('quick replies', () => {
  it('are buttons named by their text that raise onPickReply with the bot message id', () => {
    const { view, intents } = setup({ alwaysOpen: true }, { pushes: [bot('e1', 'old', ['Old']), bot('e2', 'Pick', ['Yes', 'No'])] });
    expect(view.queryByRole('button', { name: 'Old' })).toBeNull();
    fireEvent.click(view.getByRole('button', { name: 'No' }));
    expect(intents.onPickReply).toHaveBeenCalledWith('e2', 'No');
  });

  it('disappear once the visitor sends a message, and stay usable while input is disabled', () => {
    const { view, store } = setup({ alwaysOpen: true }, { pushes: [bot('e1', 'Pick', ['Yes']), hostNotification(5, 'SB:::UserInputDisabled')] });
    expect(view.getByRole('button', { name: 'Yes' }).hasAttribute('disabled')).toBe(false);
    store.set({ pending: [{ customId: 'c1', text: 'typed', at: AT }] });
    expect(view.queryByRole('button', { name: 'Yes' })).toBeNull();
  });
});

describe('composer', () => {
  it('sends on Enter (trimmed), keeps Shift+Enter for a newline, ignores blank text', async () => {
    const { view, intents } = setup({ alwaysOpen: true });
    const box = view.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;

    await act(() => {
      fireEvent.input(box, { target: { value: '  hello  ' } });
    });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(intents.onSend).not.toHaveBeenCalled();
    await act(() => {
      fireEvent.keyDown(box, { key: 'Enter' });
    });
    expect(intents.onSend).toHaveBeenCalledWith('hello');
    expect(box.value).toBe('');

    fireEvent.keyDown(box, { key: 'Enter' });
    expect(intents.onSend).toHaveBeenCalledTimes(1);
  });

  it('sends with the "Send" button', async () => {
    const { view, intents } = setup({ alwaysOpen: true });
    await act(() => {
      fireEvent.input(view.getByRole('textbox', { name: 'Message' }), { target: { value: 'hi' } });
    });
    fireEvent.click(view.getByRole('button', { name: 'Send' }));
    expect(intents.onSend).toHaveBeenCalledWith('hi');
  });

  it('disables the textbox and the Send button while input is disabled', () => {
    const { view, store } = setup({ alwaysOpen: true, textInputDisabled: true });
    expect((view.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).disabled).toBe(true);
    expect((view.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    store.set({ pushes: [hostNotification(1, 'SB:::UserInputEnabled')] });
    expect((view.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).disabled).toBe(false);
    expect((view.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
