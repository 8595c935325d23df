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
        threadStartSeq: chat.thread.startSeq,
        active: chat.thread.closedAt === null,
        ...(chat.user ? { user: chat.user } : {}),
      };
    },
    async history(chatId, limit) {
      // The current thread's pushes only: a chat's earlier conversations are not the agent's business here.
      const chat = await store.getChat(chatId);
      if (!chat) return [];
      const { lastSeq } = await store.logBounds(chatId);
      return store.readLog(chatId, { after: Math.max(chat.thread.startSeq, lastSeq - limit) });
    },
    async append(chatId, build) {
      return (await chats.append(chatId, build)).push;
    },
    closeThread: (chatId) => chats.closeThread(chatId),
    ephemeral: (chatId, push) => hub.publishEphemeral(chatId, push),
  };
}
