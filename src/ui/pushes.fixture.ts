/** Test builders for stored pushes (used by ui and api tests; never bundled). */
import type { StoredPush } from '../protocol';

export const CHAT = 'chat-1';

export function botMessage(seq: number, text: string, quickReplies?: string[], chatId = CHAT): StoredPush {
  return {
    action: 'incoming_event',
    type: 'push',
    payload: {
      chat_id: chatId,
      seq,
      event: { id: `ev-${seq}`, type: 'message', author: 'bot', text, quick_replies: quickReplies, created_at: '2025-01-01T00:00:00.000Z' },
    },
  };
}

export function visitorMessage(seq: number, text: string, customId: string, chatId = CHAT): StoredPush {
  return {
    action: 'incoming_event',
    type: 'push',
    payload: {
      chat_id: chatId,
      seq,
      event: { id: `ev-${seq}`, type: 'message', author: 'visitor', text, custom_id: customId, created_at: '2025-01-01T00:00:00.000Z' },
    },
  };
}

export function postback(seq: number, eventId: string, text: string, customId?: string, chatId = CHAT): StoredPush {
  return {
    action: 'incoming_rich_message_postback',
    type: 'push',
    payload: { chat_id: chatId, seq, event_id: eventId, postback: { id: text, toggled: true }, custom_id: customId, created_at: '2025-01-01T00:00:00.000Z' },
  };
}

export function hostNotification(seq: number, message: string, chatId = CHAT): StoredPush {
  return { action: 'host_notification', type: 'push', payload: { chat_id: chatId, seq, message } };
}

export function threadClosed(seq: number, chatId = CHAT): StoredPush {
  return { action: 'thread_closed', type: 'push', payload: { chat_id: chatId, seq } };
}
