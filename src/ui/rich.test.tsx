/** Rich bot messages in the panel: formatted text, images, buttons and a card carousel, built as nodes. */
import { fireEvent, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { RichContent, StoredPush } from '../protocol';
import { AT, setup } from './mount.fixture';
import { readRich } from './rich';

const richMessage = (id: string, text: string, rich: unknown): StoredPush => ({
  action: 'incoming_event',
  type: 'push',
  payload: { chat_id: 'chat-1', seq: 1, event: { id, type: 'message', author: 'bot', text, created_at: AT, rich: rich as RichContent } },
});

const CAROUSEL: RichContent = {
  template_id: 'cards',
  elements: [
    { image: { url: 'https://shop.example/banner.png', alternative_text: 'Spring sale' }, buttons: [{ type: 'url', text: 'Open the shop', value: 'https://shop.example/' }] },
    { title: 'Kettle', subtitle: '1.7 l, steel', image: { url: 'https://shop.example/kettle.png', alternative_text: 'A steel kettle' }, buttons: [{ type: 'message', text: 'Buy the kettle', value: 'buy kettle' }] },
    { title: 'Toaster', buttons: [{ type: 'url', text: 'Toaster details', value: 'https://shop.example/toaster' }] },
  ],
};

describe('rich messages', () => {
  it('shows formatted text, the image with its alt lazily and without referrer, link and postback buttons, and a keyboard-reachable carousel', () => {
    const { view, shadow, intents } = setup({ alwaysOpen: true }, { pushes: [richMessage('e1', '**Spring** sale: _today_ only', CAROUSEL)] });
    const log = within(view.getByRole('log'));
    expect(shadow.querySelector('.rd-bubble strong')!.textContent).toBe('Spring');
    expect(shadow.querySelector('.rd-bubble em')!.textContent).toBe('today');

    const banner = log.getByRole('img', { name: 'Spring sale' });
    expect([banner.getAttribute('src'), banner.getAttribute('loading'), banner.getAttribute('referrerpolicy')]).toEqual(['https://shop.example/banner.png', 'lazy', 'no-referrer']);
    const link = log.getByRole('link', { name: 'Open the shop' });
    expect([link.getAttribute('href'), link.getAttribute('target'), link.getAttribute('rel')]).toEqual(['https://shop.example/', '_blank', 'noopener noreferrer']);

    const carousel = log.getByRole('list', { name: 'Cards' });
    expect(carousel.getAttribute('tabindex')).toBe('0');
    expect(within(carousel).getAllByRole('listitem').map((card) => card.querySelector('.rd-card-title')!.textContent)).toEqual(['Kettle', 'Toaster']);
    expect(within(carousel).getByRole('img', { name: 'A steel kettle' })).toBeTruthy();
    fireEvent.click(within(carousel).getByRole('button', { name: 'Buy the kettle' }));
    expect(intents.onPickReply).toHaveBeenCalledWith('e1', 'buy kettle', 'Buy the kettle');
  });

  it('the carousel has "Previous card" and "Next card" buttons, disabled at the ends, that scroll one card', () => {
    const { view } = setup({ alwaysOpen: true }, { pushes: [richMessage('e1', 'Pick one', CAROUSEL)] });
    const list = view.getByRole('list', { name: 'Cards' });
    const previous = view.getByRole('button', { name: 'Previous card' }) as HTMLButtonElement;
    const next = view.getByRole('button', { name: 'Next card' }) as HTMLButtonElement;
    // happy-dom has no layout: the list reports what a browser would, 2 cards of 228 px in a 300 px view.
    let scrollLeft = 0;
    const scrolls: number[] = [];
    Object.defineProperties(list, {
      scrollWidth: { get: () => 456 },
      clientWidth: { get: () => 300 },
      scrollLeft: { get: () => scrollLeft },
    });
    Object.defineProperty(list.firstElementChild, 'offsetWidth', { get: () => 220 });
    list.scrollBy = ((options: ScrollToOptions) => {
      scrolls.push(options.left!);
      scrollLeft = Math.min(156, Math.max(0, scrollLeft + options.left!));
      list.dispatchEvent(new Event('scroll'));
    }) as typeof list.scrollBy;
    list.dispatchEvent(new Event('scroll'));
    expect([previous.disabled, next.disabled]).toEqual([true, false]);

    next.focus();
    fireEvent.click(next);
    expect(scrolls).toEqual([220 + (parseFloat(getComputedStyle(list).columnGap) || 0)]);
    expect([previous.disabled, next.disabled]).toEqual([false, true]);
    // The focused button was disabled at the end: focus moved to the other one, not to the page.
    expect((list.getRootNode() as ShadowRoot).activeElement).toBe(previous);
    fireEvent.click(previous);
    expect(scrolls[1]).toBeLessThan(0);
    expect([previous.disabled, next.disabled]).toEqual([true, false]);
  });

  it('a single card is no carousel; what is malformed or not http(s) is dropped, part by part', () => {
    const hostile = {
      template_id: 'cards',
      elements: [
        { title: 'Only', image: { url: 'javascript:alert(1)', alternative_text: 'x' }, buttons: [{ type: 'url', text: 'Bad', value: 'data:text/html,x' }, { type: 'message', text: 'Good', value: 'ok' }, { type: 'script', text: 'x', value: 'y' }] },
        { subtitle: 'no title, nothing else' },
        'not an element',
      ],
    };
    expect(readRich(hostile)).toEqual({ template_id: 'cards', elements: [{ title: 'Only', buttons: [{ type: 'message', text: 'Good', value: 'ok' }] }] });
    expect([readRich(null), readRich({ template_id: 'quick_replies', elements: [] }), readRich({ template_id: 'cards', elements: 'x' })]).toEqual([undefined, undefined, undefined]);
    const { view, shadow } = setup({ alwaysOpen: true }, { pushes: [richMessage('e1', 'One card', hostile)] });
    expect(view.getByRole('list', { name: 'Cards' }).hasAttribute('tabindex')).toBe(false);
    expect(view.queryByRole('button', { name: 'Next card' })).toBeNull();
    expect(shadow.querySelectorAll('img')).toHaveLength(0);
    expect(view.queryByRole('link', { name: 'Bad' })).toBeNull();
  });

  it('shows an announcement to everyone (incoming_multicast) as a line in the transcript', () => {
    const multicast = (seq: number, type: string, content: Record<string, unknown>): StoredPush => ({ action: 'incoming_multicast', type: 'push', payload: { chat_id: 'chat-1', seq, type, content } });
    const { view } = setup({ alwaysOpen: true }, { pushes: [multicast(1, 'announcement', { text: 'We close at 6 pm today' }), multicast(2, 'maintenance', { at: 3 })] });
    expect([...view.getByRole('log').querySelectorAll('.rd-notice')].map((line) => line.textContent)).toEqual(['We close at 6 pm today', 'maintenance']);
  });
});
