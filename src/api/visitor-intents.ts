/**
 * What only the open panel needs of the messenger's wiring: the visitor's own messages, picks
 * and drafts, and the "Sending…" list of what the server has not accepted yet. It comes with the
 * lazy chunk (lazy.ts), with the panel that raises these intents and the queues that send them.
 */
import { createQueues, type Logger, type OutboxItem } from '../client';
import type { CustomerPagePayload } from '../protocol';
import type { PendingMessage, Store, UiIntents, UiState } from '../ui';
import type { ChatClientLike } from './deps';
import { trackPage } from './page-tracker';
import { createFileLinks } from './file-links';
import { createUploader } from './upload';

export interface VisitorIntents {
  intents: Pick<UiIntents, 'onSend' | 'onPickReply' | 'onDraft' | 'onAttach' | 'fileLinks'>;
  /** Shows the outbox as "Sending…" (on every `outbox` event of the client). */
  showPending(items: readonly OutboxItem[]): void;
  /** Stops what is in flight (file uploads) when the messenger is destroyed. */
  destroy(): void;
}

/** Where the visitor's files go (upload.ts): the messenger's server, endpoint, window and debug log. */
export interface FilesContext {
  window: Window & typeof globalThis;
  serverUrl: string;
  organization: string;
  endpoint: string;
  log: Logger;
}

/** What {@link startVisitorSide} started: the messenger shows the outbox through it and stops it on destroy. */
export interface VisitorSide {
  showPending(items: readonly OutboxItem[]): void;
  /** Stops the uploads in flight and the page reports. */
  destroy(): void;
}

/**
 * Starts all the lazy chunk brings besides the panel, when it arrives: the visitor's intents
 * (copied into `intents`, the object the panel raises them on), the client's queues (whose
 * restored outbox the intents then show) and the page reports for agents. Here rather than in
 * create-messenger.ts: the first load then names none of it. `track` is a test seam.
 */
export function startVisitorSide(
  client: ChatClientLike,
  store: Store<UiState>,
  interacted: () => void,
  guard: <A extends unknown[]>(fn: (...args: A) => unknown) => (...args: A) => void,
  files: FilesContext,
  intents: UiIntents,
  track: typeof trackPage = trackPage,
): VisitorSide {
  const side = visitorIntents(client, store, interacted, guard, files);
  // Copied in a loop, not with Object.assign: the ES module build treats that call as pure
  // (vite.config.ts) and drops it when its result is unused.
  for (const [key, intent] of Object.entries(side.intents)) (intents as unknown as Record<string, unknown>)[key] = intent;
  client.attachQueues(createQueues);
  // The restored outbox the queues announced while this side was not handed back yet: shown now.
  if (client.outboxItems.length > 0) side.showPending(client.outboxItems);
  const stopTracking = track(files.window, guard((page: CustomerPagePayload) => client.queues?.page(page)));
  return {
    showPending: side.showPending,
    destroy() {
      stopTracking();
      side.destroy();
    },
  };
}

/**
 * `interacted` runs after each message or pick the visitor sent (the messenger emits its
 * `First User Interaction` once); `guard` keeps throws out of the host page (hostile.ts).
 */
export function visitorIntents(
  client: ChatClientLike,
  store: Store<UiState>,
  interacted: () => void,
  guard: <A extends unknown[]>(fn: (...args: A) => unknown) => (...args: A) => void,
  files: FilesContext,
): VisitorIntents {
  const uploader = createUploader({ ...files, client, store, sending: interacted });
  const showPending = (items: readonly OutboxItem[]) => store.set({ pending: pendingMessages(items) });
  /** After the visitor sent something: show "Sending…" now, whether or not the client announces its outbox synchronously. */
  const sent = () => {
    showPending(client.outboxItems);
    interacted();
  };
  return {
    intents: {
      // The queues come with this chunk and are attached with it (create-messenger.ts).
      onSend: guard((text: string) => {
        client.queues!.sendMessage(text);
        sent();
      }),
      onPickReply: guard((eventId: string, text: string, title?: string) => {
        client.queues!.sendPostback(eventId, text, title);
        sent();
      }),
      onDraft: guard((text: string) => client.queues?.draft(text)),
      onAttach: guard((file: File) => uploader.upload(file)),
      // Links of files shown, renewed when a long-open page outlives their signature.
      fileLinks: createFileLinks({ ...files, client, now: () => Date.now() }),
    },
    showPending,
    destroy: () => uploader.destroy(),
  };
}

/** The outbox items the transcript shows (page events are invisible). */
function pendingMessages(items: readonly OutboxItem[]): PendingMessage[] {
  const pending: PendingMessage[] = [];
  for (const item of items) if (item.kind !== 'page_event') pending.push({ customId: item.customId, text: (item.kind === 'postback' && item.title) || item.text, at: item.createdAt });
  return pending;
}
