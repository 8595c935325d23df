/**
 * What only the open panel needs of the messenger's wiring: the visitor's own messages, picks
 * and drafts, and the "Sending…" list of what the server has not accepted yet. It comes with the
 * lazy chunk (lazy.ts), with the panel that raises these intents and the queues that send them.
 */
import type { Logger, OutboxItem } from '../client';
import type { PendingMessage, Store, UiIntents, UiState } from '../ui';
import type { ChatClientLike } from './deps';
import { createUploader } from './upload';

export interface VisitorIntents {
  intents: Pick<UiIntents, 'onSend' | 'onPickReply' | 'onDraft' | 'onAttach'>;
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
