/** The {@link ChatPort} over the server's chat service, store and hub. */
import type { ChatService } from '../chat/service';
import type { Hub } from '../chat/hub';
import type { Store } from '../store/types';
import type { ChatPort } from './port';

export function chatPort(store: Store, chats: ChatService, hub: Hub): ChatPort {
  return {
    async chat(chatId) {
      const dialog = await store.getDialog(chatId);
      if (!dialog) return undefined;
      return {
        id: dialog.id,
        endpoint: dialog.endpoint,
        organization: dialog.organization,
        threadId: dialog.id,
        threadCreatedAt: dialog.createdAt,
        active: dialog.closedAt === null,
      };
    },
    async history(chatId, limit) {
      const { lastSeq } = await store.logBounds(chatId);
      return store.readLog(chatId, { after: Math.max(0, lastSeq - limit) });
    },
    async append(chatId, build) {
      return (await chats.append(chatId, build)).push;
    },
    closeThread: (chatId) => chats.closeDialog(chatId),
    ephemeral: (chatId, push) => hub.publishEphemeral(chatId, push),
  };
}
