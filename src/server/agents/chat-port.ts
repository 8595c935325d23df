/** The {@link ChatPort} over the server's chat service, store and hub. */
import type { ChatService } from '../chat/service';
import type { Hub } from '../chat/hub';
import type { Store } from '../store/types';
import type { ChatPort } from './port';

export function chatPort(store: Store, chats: ChatService, hub: Hub): ChatPort {
  return {
    async chat(chatId) {
      const chat = await store.getChat(chatId);
      if (!chat) return undefined;
      return {
        id: chat.id,
        endpoint: chat.endpoint,
        organization: chat.organization,
        threadId: chat.thread.id,
        threadCreatedAt: chat.thread.createdAt,
        active: chat.thread.closedAt === null,
      };
    },
    async history(chatId, limit) {
      const { lastSeq } = await store.logBounds(chatId);
      return store.readLog(chatId, { after: Math.max(0, lastSeq - limit) });
    },
    async append(chatId, build) {
      return (await chats.append(chatId, build)).push;
    },
    closeThread: (chatId) => chats.closeThread(chatId),
    ephemeral: (chatId, push) => hub.publishEphemeral(chatId, push),
  };
}
