/**
 * Sending the files a visitor picks (docs/http-api.md, "Visitor files"): `POST /files` on the
 * widget's server with the session token, the file as the body, over XMLHttpRequest (fetch has no
 * upload progress). A file over the limit is refused here, before a byte is sent; a refusal from
 * the server (413, 415, anything else) becomes a message in the panel naming the file. The file's
 * message itself arrives like any other push (in every tab), which ends its "Sending…" line.
 * Part of the lazy chunk (lazy.ts, through visitor-intents.ts): the first load does not carry it.
 */
import { FILE_BYTES, type StoredPush } from '../protocol';
import type { Logger } from '../client';
import type { PendingMessage, Store, UiState, UploadRefusal } from '../ui';

export interface UploaderOptions {
  /** The page's window: its XMLHttpRequest, read once. */
  window: Window & typeof globalThis;
  serverUrl: string;
  organization: string;
  endpoint: string;
  /** The connection: its session token, once logged in. */
  client: { readonly token?: string | undefined };
  store: Store<UiState>;
  /** Called when a file starts going out (the visitor's first interaction, for the host page). */
  sending(): void;
  /** For a failure worth a line in the debug log (the visitor sees the refusal in the panel). */
  log: Logger;
}

export interface Uploader {
  /** Sends `file` (or says why not). Never throws. */
  upload(file: File): void;
  /** Aborts what is in flight. */
  destroy(): void;
}

/** A client-chosen id for the upload (matches its message when it arrives). */
function newCustomId(win: Window & typeof globalThis): string {
  const random = win.crypto?.randomUUID?.();
  return `file-${random ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`}`;
}

const echoed = (pushes: readonly StoredPush[], customId: string): boolean =>
  pushes.some((push) => push.action === 'incoming_event' && push.payload.event.custom_id === customId);

/** Why the server refused, from its status. */
const refusalOf = (status: number): UploadRefusal['reason'] => (status === 413 ? 'tooLarge' : status === 415 ? 'type' : 'refused');

export function createUploader(options: UploaderOptions): Uploader {
  const { store } = options;
  const Xhr = options.window.XMLHttpRequest;
  const inFlight = new Set<XMLHttpRequest>();
  let destroyed = false;

  const refuse = (reason: UploadRefusal['reason'], name: string) => store.set({ uploadRefusal: { reason, name } });
  const update = (customId: string, change: (item: PendingMessage) => PendingMessage | undefined) =>
    store.set((state) => ({
      uploads: state.uploads.flatMap((item) => {
        if (item.customId !== customId) return [item];
        const next = change(item);
        return next ? [next] : [];
      }),
    }));
  /** Drops the upload's line once its message is in the transcript (now, or when it arrives). */
  const removeWhenEchoed = (customId: string) => {
    let done = false;
    // `done` first: removing the line is itself a store change this listener hears.
    const check = (state: UiState) => {
      if (done || !echoed(state.pushes, customId)) return done;
      done = true;
      update(customId, () => undefined);
      return true;
    };
    if (check(store.get())) return;
    const unsubscribe = store.subscribe((state) => {
      if (destroyed || check(state)) unsubscribe();
    });
  };

  return {
    upload(file) {
      if (destroyed) return;
      store.set({ uploadRefusal: undefined });
      if (file.size > FILE_BYTES) return refuse('tooLarge', file.name);
      const token = options.client.token;
      if (file.size === 0 || token === undefined || typeof Xhr !== 'function') return refuse('refused', file.name);
      const customId = newCustomId(options.window);
      const query = new URLSearchParams({ organization: options.organization, endpoint: options.endpoint, name: file.name, custom_id: customId });
      const xhr = new Xhr();
      inFlight.add(xhr);
      store.set((state) => ({ uploads: [...state.uploads, { customId, text: file.name, at: new Date().toISOString(), progress: 0 }] }));
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) update(customId, (item) => ({ ...item, progress: event.loaded / event.total }));
      };
      const failed = (reason: UploadRefusal['reason'], why: string) => {
        inFlight.delete(xhr);
        if (destroyed) return;
        options.log('warn', `the file ${file.name} was not sent: ${why}`);
        update(customId, () => undefined);
        refuse(reason, file.name);
      };
      xhr.onload = () => {
        if (xhr.status === 200 || xhr.status === 201) {
          inFlight.delete(xhr);
          if (!destroyed) removeWhenEchoed(customId);
        } else {
          failed(refusalOf(xhr.status), `the server answered ${xhr.status}`);
        }
      };
      xhr.onerror = () => failed('refused', 'network error');
      xhr.ontimeout = () => failed('refused', 'timed out');
      // A path in serverUrl is kept as a prefix (a server behind a proxy), as for the websocket.
      const server = new URL(options.serverUrl);
      xhr.open('POST', `${server.origin}${server.pathname.replace(/\/+$/, '')}/files?${query.toString()}`);
      xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.send(file);
      options.sending();
    },
    destroy() {
      destroyed = true;
      for (const xhr of inFlight) xhr.abort();
      inFlight.clear();
    },
  };
}
