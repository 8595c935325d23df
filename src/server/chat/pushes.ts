/** Builders for the pushes the server stores or sends (payloads as typed in protocol/frames.ts). */
import type { ChatFile, JsonObject, Push, RichContent, StoredPush } from '../../protocol';
import type { PushBuilder } from '../store/types';
import { rememberPayloadText } from './frame-text';

export interface MessageInput {
  id: string;
  author: 'bot' | 'visitor';
  text: string;
  quickReplies?: string[];
  /** Buttons, an image, cards (runtime/rich.ts checked them). */
  rich?: RichContent;
  /** A visitor's file (stored without `url`: the URL is signed for each delivery, files/deliver.ts). */
  file?: ChatFile;
  customId?: string;
}

/** An `incoming_event` (a bot or visitor message). */
export function messagePush(chatId: string, message: MessageInput): PushBuilder {
  return (seq, createdAt): StoredPush => ({
    action: 'incoming_event',
    type: 'push',
    payload: {
      chat_id: chatId,
      seq,
      event: {
        id: message.id,
        type: 'message',
        author: message.author,
        text: message.text,
        ...(message.quickReplies && message.quickReplies.length > 0 ? { quick_replies: message.quickReplies } : {}),
        ...(message.rich === undefined ? {} : { rich: message.rich }),
        ...(message.file === undefined ? {} : { file: message.file }),
        ...(message.customId === undefined ? {} : { custom_id: message.customId }),
        created_at: createdAt,
      },
    },
  });
}

/** An `incoming_rich_message_postback` (a quick reply or a postback button picked). */
export function postbackPush(
  chatId: string,
  eventId: string,
  postback: { id: string; toggled: boolean },
  customId: string,
  /** What the transcript shows when it is not `postback.id` (a button's title). */
  text?: string,
): PushBuilder {
  return (seq, createdAt): StoredPush => ({
    action: 'incoming_rich_message_postback',
    type: 'push',
    payload: { chat_id: chatId, seq, event_id: eventId, postback, custom_id: customId, ...(text === undefined ? {} : { text }), created_at: createdAt },
  });
}

/** A `host_notification`. */
export function notificationPush(chatId: string, message: string): PushBuilder {
  return (seq): StoredPush => ({ action: 'host_notification', type: 'push', payload: { chat_id: chatId, seq, message } });
}

/** An `incoming_multicast` (an external event sent to everyone). */
export function multicastPush(chatId: string, type: string, content: JsonObject): PushBuilder {
  return multicastPushes(type, content)(chatId);
}

/**
 * `incoming_multicast` builders for many chats: the event's name and content are serialised once
 * and each chat's payload text is put together around them (chat/frame-text.ts), so a broadcast
 * does not stringify the same content once per chat, neither to store it nor to send it.
 */
export function multicastPushes(type: string, content: JsonObject): (chatId: string) => PushBuilder {
  const tail = `,"type":${JSON.stringify(type)},"content":${JSON.stringify(content)}}`;
  return (chatId) => (seq): StoredPush => {
    const push: StoredPush = { action: 'incoming_multicast', type: 'push', payload: { chat_id: chatId, seq, type, content } };
    // Same keys in the same order as the object above.
    rememberPayloadText(push, `{"chat_id":${JSON.stringify(chatId)},"seq":${seq}${tail}`);
    return push;
  };
}

/** A `thread_closed` (a conversation of the chat ended). */
export function threadClosedPush(chatId: string, threadId: string): PushBuilder {
  return (seq): StoredPush => ({ action: 'thread_closed', type: 'push', payload: { chat_id: chatId, seq, thread_id: threadId } });
}

/** Ephemeral: not stored, no seq. */
export function typingPush(chatId: string, isTyping: boolean): Push {
  return {
    action: 'incoming_typing_indicator',
    type: 'push',
    payload: { chat_id: chatId, typing_indicator: { author_id: 'bot', is_typing: isTyping } },
  };
}
