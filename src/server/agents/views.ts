/**
 * The agent API's objects (LiveChat's Chat, Thread, Event and User) built from the chat's stored
 * pushes and its routing state. Pure functions.
 */
import {
  BOT_AUTHOR_ID,
  type AgentChat,
  type AgentChatSummary,
  type AgentEvent,
  type AgentIdentity,
  type ChatUser,
  type CustomerUser,
  type RoutingProperty,
  type StoredPush,
} from '../../protocol';
import type { AgentChatState } from '../store/agents-types';
import type { ChatInfo } from './port';

/**
 * The signed, expiring URL of a stored file (files/urls.ts): made when the event is made, since a
 * stored one would expire in the log (docs/agent-api.md, "Files").
 */
export type FileUrl = (fileId: string) => string;

/**
 * The agent event a stored push shows, if it is a message (visitor, bot or agent) or a file the
 * visitor sent (LiveChat's file event, with a link from `fileUrl`).
 */
export function eventOf(chatId: string, push: StoredPush, fileUrl: FileUrl): AgentEvent | undefined {
  if (push.action === 'incoming_event') {
    const { event, seq } = push.payload;
    const author = event.author === 'visitor' ? chatId : event.author === 'bot' ? BOT_AUTHOR_ID : (event.author_id ?? event.author_name ?? 'agent');
    const base = { id: event.id, author_id: author, created_at: event.created_at, visibility: 'all', seq } as const;
    const { file } = event;
    if (file) return { ...base, type: 'file', name: file.name, url: fileUrl(file.id), content_type: file.content_type, size: file.size };
    return { ...base, type: 'message', text: event.text };
  }
  if (push.action === 'incoming_rich_message_postback') {
    const { postback, created_at: createdAt, seq } = push.payload;
    return { id: `postback-${seq}`, type: 'message', author_id: chatId, text: postback.id, created_at: createdAt, visibility: 'all', seq };
  }
  return undefined;
}

export function routingOf(state: AgentChatState | undefined): RoutingProperty {
  if (!state) return { status: 'bot' };
  return state.reason === null ? { status: state.routing } : { status: state.routing, reason: state.reason };
}

/** The visitor's live visit, as the agent side tracks it. */
export interface VisitView {
  visitId: number;
  startedAt: string;
  endedAt?: string;
  present: boolean;
  pages: readonly { url: string; title: string; referrer: string; opened_at: string }[];
}

export function customerOf(chat: ChatInfo, visit: VisitView | undefined): CustomerUser {
  return {
    id: chat.id,
    type: 'customer',
    ...(chat.user?.name === undefined ? {} : { name: chat.user.name }),
    ...(chat.user?.email === undefined ? {} : { email: chat.user.email }),
    present: visit?.present ?? false,
    ...(visit
      ? {
          last_visit: {
            visit_id: visit.visitId,
            started_at: visit.startedAt,
            ...(visit.endedAt === undefined ? {} : { ended_at: visit.endedAt }),
            last_pages: [...visit.pages],
          },
        }
      : {}),
  };
}

export function usersOf(
  chat: ChatInfo,
  visit: VisitView | undefined,
  agents: readonly AgentIdentity[],
  online: (id: string) => boolean,
): ChatUser[] {
  return [customerOf(chat, visit), ...agents.map((a): ChatUser => ({ id: a.id, type: 'agent', name: a.name, present: online(a.id) }))];
}

export function chatOf(chat: ChatInfo, users: ChatUser[], routing: RoutingProperty, history: readonly StoredPush[], fileUrl: FileUrl): AgentChat {
  const events = history.map((push) => eventOf(chat.id, push, fileUrl)).filter((e): e is AgentEvent => e !== undefined);
  return {
    id: chat.id,
    users,
    properties: { routing },
    thread: { id: chat.threadId, active: chat.active, created_at: chat.threadCreatedAt, events },
  };
}

export function summaryOf(
  chat: ChatInfo,
  users: ChatUser[],
  routing: RoutingProperty,
  history: readonly StoredPush[],
  sneakPeek: string | undefined,
  fileUrl: FileUrl,
): AgentChatSummary {
  let last: StoredPush | undefined;
  for (const push of history) if (push.action === 'incoming_event' || push.action === 'incoming_rich_message_postback') last = push;
  // Only the newest event is made (one file link signed, not one per file in the history).
  const lastEvent = last && eventOf(chat.id, last, fileUrl);
  return {
    id: chat.id,
    users,
    properties: { routing },
    last_thread_summary: { id: chat.threadId, active: chat.active, created_at: chat.threadCreatedAt },
    ...(lastEvent ? { last_event: lastEvent } : {}),
    ...(sneakPeek ? { sneak_peek: { author_id: chat.id, text: sneakPeek } } : {}),
  };
}
