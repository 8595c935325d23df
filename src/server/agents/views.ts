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

/** The agent event a stored push shows, if it is a message (visitor, bot or agent). */
export function eventOf(chatId: string, push: StoredPush): AgentEvent | undefined {
  if (push.action === 'incoming_event') {
    const { event, seq } = push.payload;
    const author = event.author === 'visitor' ? chatId : event.author === 'bot' ? BOT_AUTHOR_ID : (event.author_id ?? event.author_name ?? 'agent');
    return { id: event.id, type: 'message', author_id: author, text: event.text, created_at: event.created_at, visibility: 'all', seq };
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

export function chatOf(chat: ChatInfo, users: ChatUser[], routing: RoutingProperty, history: readonly StoredPush[]): AgentChat {
  const events = history.map((push) => eventOf(chat.id, push)).filter((e): e is AgentEvent => e !== undefined);
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
): AgentChatSummary {
  let last: AgentEvent | undefined;
  for (const push of history) last = eventOf(chat.id, push) ?? last;
  return {
    id: chat.id,
    users,
    properties: { routing },
    last_thread_summary: { id: chat.threadId, active: chat.active, created_at: chat.threadCreatedAt },
    ...(last ? { last_event: last } : {}),
    ...(sneakPeek ? { sneak_peek: { author_id: chat.id, text: sneakPeek } } : {}),
  };
}
