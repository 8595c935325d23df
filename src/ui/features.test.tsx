/** The conversation details and presentation of the widget: links, times, unread badge, scrolling, languages, mobile viewport. */
import { act, fireEvent, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { AT, bot, setup, visitor } from './mount.fixture';
import { uiTranslation } from '../protocol';
import { shortTime } from './format';

describe('messages', () => {
  it('makes http(s) links clickable anchors that open safely in a new tab, built as nodes', () => {
    const { view, shadow } = setup({ alwaysOpen: true }, { pushes: [bot('e1', 'Offers: https://shop.example/sale?x=1. Or javascript:alert(1)')] });
    const link = within(view.getByRole('log')).getByRole('link', { name: 'https://shop.example/sale?x=1' });
    expect(link.getAttribute('href')).toBe('https://shop.example/sale?x=1');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(shadow.querySelectorAll('a')).toHaveLength(1);
    expect(link.parentElement!.textContent).toBe('Offers: https://shop.example/sale?x=1. Or javascript:alert(1)');
  });

  it('shows when each message was sent, and the state of the visitor own messages', () => {
    const { view, shadow } = setup({ alwaysOpen: true, lang: 'de' }, {
      strings: uiTranslation('de'),
      pushes: [bot('e1', 'Hallo'), visitor('e2', 'Hi', 'c1')],
      pending: [{ customId: 'c2', text: 'noch was', at: AT }],
    });
    const times = [...shadow.querySelectorAll('time')].map((time) => [time.getAttribute('datetime'), time.textContent]);
    expect(times).toEqual([
      [AT, shortTime(AT, 'de')],
      [AT, shortTime(AT, 'de')],
      [AT, shortTime(AT, 'de')],
    ]);
    const log = within(view.getByRole('log'));
    expect(log.getByText('Gesendet')).toBeTruthy();
    expect(log.getByText('Wird gesendet…')).toBeTruthy();
  });
});

describe('unread badge', () => {
  it('counts on the closed roundel as its description, never in its name, and goes away when open', () => {
    const { view, store, shadow } = setup({}, { unread: 3 });
    const roundel = view.getByRole('button', { name: 'Open chat' });
    const description = () => shadow.getElementById(roundel.getAttribute('aria-describedby')!)?.textContent;
    const badge = () => shadow.querySelector('.rd-badge')?.textContent;
    expect([description(), badge()]).toEqual(['Unread messages: 3', '3']);
    expect(roundel.textContent).toBe('');
    store.set({ unread: 120 });
    expect([description(), badge()]).toEqual(['Unread messages: 120', '99+']);
    store.set({ open: true });
    expect(shadow.querySelector('.rd-badge')).toBeNull();
    store.set({ open: false, unread: 0 });
    expect(view.getByRole('button', { name: 'Open chat' }).hasAttribute('aria-describedby')).toBe(false);
  });
});

describe('scrolling', () => {
  /** A log 300px high holding 1000px of messages, scrolled to `top`. */
  function scrollable(log: HTMLElement, top: number) {
    Object.defineProperty(log, 'scrollHeight', { configurable: true, value: 1000 });
    Object.defineProperty(log, 'clientHeight', { configurable: true, value: 300 });
    log.scrollTop = top;
    fireEvent.scroll(log);
  }

  it('follows new messages at the bottom, and offers "New messages" once the visitor scrolled up', async () => {
    const { view, store } = setup({ alwaysOpen: true }, { pushes: [bot('e1', 'first')] });
    const log = view.getByRole('log');
    scrollable(log, 700);
    await act(() => store.set({ pushes: [bot('e1', 'first'), bot('e2', 'second')] }));
    expect(log.scrollTop).toBe(1000);
    expect(view.queryByRole('button', { name: 'New messages' })).toBeNull();

    scrollable(log, 100);
    await act(() => store.set({ pushes: [bot('e1', 'first'), bot('e2', 'second'), bot('e3', 'third')] }));
    expect(log.scrollTop).toBe(100);
    await act(() => {
      fireEvent.click(view.getByRole('button', { name: 'New messages' }));
    });
    expect(log.scrollTop).toBe(1000);
    expect(view.queryByRole('button', { name: 'New messages' })).toBeNull();
  });

  it('scrolls down for a message the visitor sends, even when scrolled up', async () => {
    const { view, store } = setup({ alwaysOpen: true }, { pushes: [bot('e1', 'first')] });
    const log = view.getByRole('log');
    scrollable(log, 100);
    await act(() => store.set({ pending: [{ customId: 'c1', text: 'mine', at: AT }] }));
    expect(log.scrollTop).toBe(1000);
  });
});

describe('languages and direction', () => {
  it('names the controls in English until the strings of the widget language arrive, then in that language', async () => {
    const { view, store } = setup({ lang: 'es' });
    expect(view.getByRole('button', { name: 'Open chat' })).toBeTruthy();
    await act(() => store.set({ strings: uiTranslation('es') }));
    expect(view.getByRole('button', { name: 'Abrir chat' })).toBeTruthy();
    store.set({ open: true });
    expect(view.getByRole('button', { name: 'Cerrar chat', expanded: true })).toBeTruthy();
    expect(view.getByRole('textbox', { name: 'Mensaje' })).toBeTruthy();
    expect(view.getByRole('button', { name: 'Enviar' })).toBeTruthy();
  });

  it('puts dir and lang on the widget root', () => {
    const { shadow } = setup({ dir: 'rtl', lang: 'ar' });
    const root = shadow.querySelector('.rd-root')!;
    expect([root.getAttribute('dir'), root.getAttribute('lang')]).toEqual(['rtl', 'ar']);
  });
});

describe('mobile viewport', () => {
  it('mirrors the visual viewport into --rd-vv-* while mounted (the keyboard shrinks it)', () => {
    const viewport = Object.assign(new EventTarget(), { height: 667, offsetTop: 0 });
    Object.defineProperty(window, 'visualViewport', { configurable: true, value: viewport });
    try {
      const { shadow, widget } = setup({}, { open: true });
      const target = shadow.querySelector('.rd-panel')!.parentElement!;
      const vars = () => [target.style.getPropertyValue('--rd-vv-height'), target.style.getPropertyValue('--rd-vv-top')];
      expect(vars()).toEqual(['667px', '0px']);
      Object.assign(viewport, { height: 360, offsetTop: 40 });
      viewport.dispatchEvent(new Event('resize'));
      expect(vars()).toEqual(['360px', '40px']);
      widget.unmount();
      viewport.height = 100;
      viewport.dispatchEvent(new Event('scroll'));
      expect(target.style.getPropertyValue('--rd-vv-height')).toBe('360px');
    } finally {
      delete (window as { visualViewport?: unknown }).visualViewport;
    }
  });
});
