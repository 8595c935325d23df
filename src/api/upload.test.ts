/** The uploader (lazy chunk): what it sends, the refusals it shows, and its line until the message arrives. */
import { describe, expect, it, vi } from 'vitest';
import type { StoredPush } from '../protocol';
import { createUiStore } from '../ui';
import { createUploader } from './upload';

/** A stand-in for XMLHttpRequest that records the request and lets the test answer it. */
class FakeXhr {
  static sent: FakeXhr[] = [];
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  aborted = false;
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
    FakeXhr.sent.push(this);
  }
  abort() {
    this.aborted = true;
  }
  answer(status: number) {
    this.status = status;
    this.onload?.();
  }
}

function setup(token: string | null = 'tok.1.sig') {
  FakeXhr.sent = [];
  const store = createUiStore();
  const sending = vi.fn();
  const log = vi.fn();
  const win = { XMLHttpRequest: FakeXhr, crypto: { randomUUID: () => 'uuid-1' } } as unknown as Window & typeof globalThis;
  const uploader = createUploader({ window: win, serverUrl: 'https://chat.example.com/', organization: 'acme', endpoint: 'acme demo', client: { token: token ?? undefined }, store, sending, log });
  return { store, sending, log, uploader };
}

const echo = (customId: string): StoredPush => ({
  action: 'incoming_event',
  type: 'push',
  payload: { chat_id: 'c', seq: 2, event: { id: 'e', type: 'message', author: 'visitor', text: 'a.png', custom_id: customId, created_at: '2026-01-01T00:00:00.000Z' } },
});

describe('createUploader', () => {
  it('posts the file with the session token, shows its progress, and keeps its line until its message arrives', () => {
    const { store, sending, uploader } = setup();
    const file = new File(['hello'], 'a b.png', { type: 'image/png' });
    uploader.upload(file);
    const [xhr] = FakeXhr.sent;
    expect(xhr?.method).toBe('POST');
    expect(xhr?.url).toBe('https://chat.example.com/files?organization=acme&endpoint=acme+demo&name=a+b.png&custom_id=file-uuid-1');
    expect(xhr?.headers).toEqual({ Authorization: 'Bearer tok.1.sig' });
    expect(xhr?.body).toBe(file);
    expect(sending).toHaveBeenCalledTimes(1);
    expect(store.get().uploads).toEqual([{ customId: 'file-uuid-1', text: 'a b.png', at: expect.any(String), progress: 0 }]);
    xhr?.upload.onprogress?.({ lengthComputable: true, loaded: 2, total: 5 });
    expect(store.get().uploads[0]?.progress).toBe(0.4);
    xhr?.answer(201);
    expect(store.get().uploads).toHaveLength(1);
    store.set({ pushes: [echo('file-uuid-1')] });
    expect(store.get().uploads).toEqual([]);
    expect(store.get().uploadRefusal).toBeUndefined();
  });

  it('refuses a file over 10 MiB before sending anything', () => {
    const { store, sending, uploader } = setup();
    const big = new File([new Uint8Array(8)], 'big.mov');
    Object.defineProperty(big, 'size', { value: 10 * 1024 * 1024 + 1 });
    uploader.upload(big);
    expect(FakeXhr.sent).toEqual([]);
    expect(sending).not.toHaveBeenCalled();
    expect(store.get().uploadRefusal).toEqual({ reason: 'tooLarge', name: 'big.mov' });
  });

  it('turns the server’s refusals into messages and drops the line', () => {
    const { store, log, uploader } = setup();
    for (const [status, reason] of [[413, 'tooLarge'], [415, 'type'], [429, 'refused'], [401, 'refused']] as const) {
      uploader.upload(new File(['x'], `f${status}.bin`));
      FakeXhr.sent.at(-1)?.answer(status);
      expect(store.get().uploadRefusal).toEqual({ reason, name: `f${status}.bin` });
      expect(store.get().uploads).toEqual([]);
    }
    uploader.upload(new File(['x'], 'offline.bin'));
    FakeXhr.sent.at(-1)?.onerror?.();
    expect(store.get().uploadRefusal).toEqual({ reason: 'refused', name: 'offline.bin' });
    expect(log).toHaveBeenCalledWith('warn', 'the file offline.bin was not sent: network error');
    // The next pick clears the message.
    uploader.upload(new File(['x'], 'ok.bin'));
    expect(store.get().uploadRefusal).toBeUndefined();
  });

  it('refuses before login (no token) and empty files; destroy aborts what is in flight', () => {
    const none = setup(null);
    none.uploader.upload(new File(['x'], 'early.png'));
    expect(none.store.get().uploadRefusal).toEqual({ reason: 'refused', name: 'early.png' });
    const { store, uploader } = setup();
    uploader.upload(new File([], 'empty.txt'));
    expect(store.get().uploadRefusal).toEqual({ reason: 'refused', name: 'empty.txt' });
    uploader.upload(new File(['x'], 'slow.png'));
    uploader.destroy();
    expect(FakeXhr.sent.at(-1)?.aborted).toBe(true);
    uploader.upload(new File(['x'], 'after.png'));
    expect(FakeXhr.sent).toHaveLength(1);
  });
});
