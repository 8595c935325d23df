/** Visitor files in the panel: the attach button, files in the transcript, uploads in progress, refusals. */
import { fireEvent, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { ChatFile, StoredPush } from '../protocol';
import { humanSize, readFile, type FileLinks } from './file';
import type { UiIntents } from './Panel';
import { AT, setup, type Harness } from './mount.fixture';

const fileMessage = (seq: number, file: unknown, customId?: string): StoredPush => ({
  action: 'incoming_event',
  type: 'push',
  payload: {
    chat_id: 'chat-1',
    seq,
    event: { id: `e${seq}`, type: 'message', author: 'visitor', text: 'ignored', created_at: AT, file: file as ChatFile, ...(customId ? { custom_id: customId } : {}) },
  },
});

/** Dispatches a cancelable `type` event carrying `field` (a DataTransfer-like object); true when not cancelled. */
function dispatchWith(target: Element, type: string, field: 'dataTransfer' | 'clipboardData', files: File[], types = files.length > 0 ? ['Files'] : ['text/plain']): boolean {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, field, { value: { types, files, dropEffect: 'none' } });
  return target.dispatchEvent(event);
}

describe('visitor files in the panel', () => {
  it('has an "Attach file" button that opens a hidden file input and hands every picked file over', () => {
    const { view, shadow, intents } = setup({ alwaysOpen: true });
    const button = view.getByRole('button', { name: 'Attach file' });
    const input = shadow.querySelector<HTMLInputElement>('input[type=file]')!;
    expect(input.hidden).toBe(true);
    let opened = 0;
    input.addEventListener('click', () => (opened += 1));
    fireEvent.click(button);
    expect(opened).toBe(1);
    const picked = new File(['hello'], 'notes.txt', { type: 'text/plain' });
    Object.defineProperty(input, 'files', { value: [picked], configurable: true });
    fireEvent.change(input);
    expect(intents.onAttach).toHaveBeenCalledWith(picked);
  });

  it('sends files dropped on the composer or pasted into the textbox, like picked ones; text is left to the textbox', () => {
    const { view, shadow, intents } = setup({ alwaysOpen: true });
    const composer = shadow.querySelector<HTMLFormElement>('form.rd-composer')!;
    const box = view.getByRole('textbox', { name: 'Message' });
    const photo = new File([new Uint8Array([137, 80, 78, 71])], 'photo.png', { type: 'image/png' });
    const notes = new File(['hello'], 'notes.txt', { type: 'text/plain' });

    // Dragging files over it makes it a drop target (the drop is accepted, the composer shows it).
    expect(dispatchWith(composer, 'dragover', 'dataTransfer', [photo])).toBe(false);
    expect(composer.classList.contains('rd-drop')).toBe(true);
    dispatchWith(composer, 'dragleave', 'dataTransfer', [photo]);
    expect(composer.classList.contains('rd-drop')).toBe(false);
    expect(dispatchWith(composer, 'drop', 'dataTransfer', [photo, notes])).toBe(false);
    expect(intents.onAttach.mock.calls).toEqual([[photo], [notes]]);

    // Dragged text is not taken: the browser drops it into the textbox as usual.
    expect(dispatchWith(composer, 'dragover', 'dataTransfer', [])).toBe(true);
    expect(dispatchWith(composer, 'drop', 'dataTransfer', [])).toBe(true);

    // A pasted file is sent instead of typed; pasted text is typed.
    expect(dispatchWith(box, 'paste', 'clipboardData', [photo])).toBe(false);
    expect(dispatchWith(box, 'paste', 'clipboardData', [])).toBe(true);
    expect(intents.onAttach.mock.calls).toEqual([[photo], [notes], [photo]]);
  });

  it('takes no dropped or pasted file while the composer is disabled', () => {
    const { view, shadow, intents } = setup({ alwaysOpen: true, textInputDisabled: true });
    const file = new File(['x'], 'x.txt', { type: 'text/plain' });
    dispatchWith(shadow.querySelector('form.rd-composer')!, 'drop', 'dataTransfer', [file]);
    dispatchWith(view.getByRole('textbox', { name: 'Message' }), 'paste', 'clipboardData', [file]);
    expect(intents.onAttach).not.toHaveBeenCalled();
  });

  it('disables the button with the composer', () => {
    const { view } = setup({ alwaysOpen: true, textInputDisabled: true });
    expect((view.getByRole('button', { name: 'Attach file' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows an image inline (lazy, its name as alt) and another file as a link with name and size', () => {
    const url = 'https://chat.example.com/files/f1?expires=1&signature=x';
    const { view } = setup({ alwaysOpen: true }, {
      pushes: [
        fileMessage(1, { id: 'f1', name: 'broken.png', content_type: 'image/png', size: 48213, url }),
        fileMessage(2, { id: 'f2', name: 'invoice.pdf', content_type: 'application/pdf', size: 2_500_000, url }),
        fileMessage(3, { id: 'f3', name: 'drawing.svg', content_type: 'text/plain; charset=utf-8', size: 10, url }),
      ],
    });
    const log = within(view.getByRole('log'));
    const image = log.getByRole('img', { name: 'broken.png' });
    expect([image.getAttribute('src'), image.getAttribute('loading'), image.getAttribute('referrerpolicy')]).toEqual([url, 'lazy', 'no-referrer']);
    const pdf = log.getByRole('link', { name: 'invoice.pdf (2.4 MB)' });
    expect([pdf.getAttribute('href'), pdf.getAttribute('target'), pdf.getAttribute('rel')]).toEqual([url, '_blank', 'noopener noreferrer']);
    // SVG is never an image: a link like any other file.
    expect(log.queryByRole('img', { name: 'drawing.svg' })).toBeNull();
    expect(log.getByRole('link', { name: 'drawing.svg (10 B)' })).toBeTruthy();
  });

  it('shows a file whose URL is not http(s) without a link', () => {
    const { view } = setup({ alwaysOpen: true }, { pushes: [fileMessage(1, { id: 'f1', name: 'x.png', content_type: 'image/png', size: 1, url: 'javascript:alert(1)' })] });
    const log = within(view.getByRole('log'));
    expect(log.queryByRole('link')).toBeNull();
    expect(log.queryByRole('img')).toBeNull();
    expect(view.getByRole('log').textContent).toContain('x.png (1 B)');
  });

  it('shows an upload in progress until its message arrives, and a refusal naming the file', () => {
    const { view, store } = setup({ alwaysOpen: true });
    store.set({ uploads: [{ customId: 'u1', text: 'big.pdf', at: AT, progress: 0.42 }] });
    expect(view.getByRole('log').textContent).toContain('Sending… 42%');
    store.set({ pushes: [fileMessage(1, { id: 'f1', name: 'big.pdf', content_type: 'application/pdf', size: 9, url: 'https://chat.example.com/f' }, 'u1')] });
    expect(view.getByRole('log').textContent).not.toContain('Sending');
    store.set({ uploadRefusal: { reason: 'tooLarge', name: 'holiday.mov' } });
    expect(view.getByRole('alert').textContent).toBe('“holiday.mov” is too large: files can be at most 10 MB.');
    store.set({ uploadRefusal: { reason: 'type', name: 'setup.exe' } });
    expect(view.getByRole('alert').textContent).toBe('“setup.exe” cannot be sent: images, PDF, zip and text files can.');
  });
});

describe('links past their signature (a page open longer than 24 hours)', () => {
  const signed = (id: string, expires: number) => `https://chat.example.com/files/${id}?expires=${expires}&signature=s-${expires}`;
  /** Links that expire by their `expires` against `clock.now`, renewed with a link valid a day from then. */
  function fakeLinks(clock: { now: number }) {
    const asked: string[] = [];
    const links: FileLinks = {
      expired: (url) => Number(new URL(url).searchParams.get('expires')) * 1000 <= clock.now,
      fresh: (id) => {
        asked.push(id);
        return Promise.resolve(signed(id, clock.now / 1000 + 86_400));
      },
    };
    return { links, asked };
  }
  const withLinks = (links: FileLinks, ...pushes: StoredPush[]): Harness => {
    const harness = setup({ alwaysOpen: true });
    (harness.intents as unknown as UiIntents).fileLinks = links;
    harness.store.set({ pushes });
    return harness;
  };
  const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));

  it('renews an image that fails to load, once: a second failure is left as it is', async () => {
    const clock = { now: 1_800_000_000_000 };
    const { links, asked } = fakeLinks(clock);
    const { view } = withLinks(links, fileMessage(1, { id: 'f1', name: 'broken.png', content_type: 'image/png', size: 9, url: signed('f1', 1_799_900_000) }));
    const image = within(view.getByRole('log')).getByRole('img', { name: 'broken.png' });
    fireEvent.error(image);
    await settle();
    const fresh = signed('f1', 1_800_086_400);
    expect(asked).toEqual(['f1']);
    expect(image.getAttribute('src')).toBe(fresh);
    expect(image.closest('a')?.getAttribute('href')).toBe(fresh);
    fireEvent.error(image);
    await settle();
    expect(asked).toEqual(['f1']);
  });

  it('opens a link clicked past its expires with a fresh link, and leaves a valid one alone', async () => {
    const clock = { now: 1_800_000_000_000 };
    const { links, asked } = fakeLinks(clock);
    const opened: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      opened.push(this.href);
    });
    try {
      const { view } = withLinks(
        links,
        fileMessage(1, { id: 'f1', name: 'invoice.pdf', content_type: 'application/pdf', size: 9, url: signed('f1', 1_800_000_060) }),
      );
      const log = view.getByRole('log');
      const link = within(log).getByRole('link', { name: 'invoice.pdf (9 B)' });
      // What the widget left to the browser, seen after its handler; then nothing is followed (no network in tests).
      const followed: boolean[] = [];
      log.addEventListener('click', (event: Event) => {
        followed.push(!event.defaultPrevented);
        event.preventDefault();
      });
      // Valid for another minute: the browser follows it.
      fireEvent.click(link);
      expect(followed).toEqual([true]);
      expect(asked).toEqual([]);
      // A day later (the injected clock), the same link has run out.
      clock.now += 86_400_000;
      fireEvent.click(link);
      expect(followed).toEqual([true, false]);
      await settle();
      const fresh = signed('f1', 1_800_172_800);
      expect(asked).toEqual(['f1']);
      expect(opened).toEqual([fresh]);
      expect(link.getAttribute('href')).toBe(fresh);
    } finally {
      click.mockRestore();
    }
  });

  it('asks for nothing without links to renew (the agent console) or a file id', async () => {
    const { view } = setup({ alwaysOpen: true }, { pushes: [fileMessage(1, { id: 'f1', name: 'a.png', content_type: 'image/png', size: 1, url: signed('f1', 1) })] });
    fireEvent.error(within(view.getByRole('log')).getByRole('img', { name: 'a.png' }));
    const { links, asked } = fakeLinks({ now: 1_800_000_000_000 });
    const other = withLinks(links, fileMessage(1, { name: 'b.png', content_type: 'image/png', size: 1, url: signed('f1', 1) }));
    fireEvent.error(within(other.view.getAllByRole('log').at(-1)!).getByRole('img', { name: 'b.png' }));
    await settle();
    expect(asked).toEqual([]);
  });
});

describe('readFile and humanSize', () => {
  it('reads only well-formed files', () => {
    expect(readFile({ id: 'f1', name: 'a.png', size: 3, content_type: 'image/png', url: 'https://x.example/f' })).toEqual({ id: 'f1', name: 'a.png', size: 3, image: true, url: 'https://x.example/f' });
    expect(readFile({ name: 'a.png', size: 3, content_type: 'image/svg+xml' })).toEqual({ name: 'a.png', size: 3, image: false });
    expect(readFile({ name: '', size: 3 })).toBeUndefined();
    expect(readFile({ name: 'a', size: -1 })).toBeUndefined();
    expect(readFile({ name: 'a', size: '3' })).toBeUndefined();
    expect(readFile('a.png')).toBeUndefined();
  });

  it('says sizes in units of 1024 in the widget’s language', () => {
    expect(humanSize(512, 'en')).toBe('512 B');
    expect(humanSize(48213, 'en')).toBe('47.1 KB');
    expect(humanSize(10 * 1024 * 1024, 'en')).toBe('10 MB');
    expect(humanSize(2_500_000, 'de')).toBe('2,4 MB');
  });
});
