/**
 * The console's state and how agent pushes change it. Pure functions: the app feeds them the
 * connection's login, responses and pushes.
 */
import { BOT_AUTHOR_ID, type AgentChat, type AgentChatSummary, type AgentEvent, type AgentIdentity, type AgentPush, type RoutingProperty, type VisitorPage } from '../protocol';
import { readFile, type TranscriptItem } from '../ui';
import type { AgentConnectionState } from './connection';

/** One chat in the queue or the live list. */
export interface ChatRow {
  id: string;
  threadId: string;
  routing: RoutingProperty;
  agents: AgentIdentity[];
  visitorName?: string;
  present: boolean;
  page?: VisitorPage;
  lastText?: string;
  sneakPeek?: string;
  visitorTyping: boolean;
}

export interface ConsoleState {
  connection: AgentConnectionState;
  agent?: AgentIdentity;
  chats: readonly ChatRow[];
  /** The chat shown on the right, with its transcript. */
  openChatId?: string;
  transcript: readonly TranscriptItem[];
  /** The last failure to show (a refused request, a wrong key). */
  error?: string;
}

export const initialState: ConsoleState = { connection: 'idle', chats: [], transcript: [] };

/** A transcript line for an agent event: every author named (the visitor, the bot, an agent). */
export function itemOf(event: AgentEvent, chatId: string, agents: readonly AgentIdentity[]): TranscriptItem {
  const name =
    event.author_id === chatId ? 'Visitor' : event.author_id === BOT_AUTHOR_ID ? 'Bot' : (agents.find((a) => a.id === event.author_id)?.name ?? event.author_id);
  const item = { kind: 'message', id: event.id, author: 'agent', authorName: name, text: textOf(event), at: event.created_at } as const;
  // A file: the widget's own view of it (an image inline, else a link with name and size). The
  // event's id is no file id: its links come fresh with every get_chat, nothing renews them here.
  const file = event.type === 'file' ? readFile({ name: event.name, size: event.size, content_type: event.content_type, url: event.url }) : undefined;
  return file ? { ...item, file } : item;
}

/** What an event says in one line (the chat list): its text, or a file's name. */
const textOf = (event: AgentEvent): string => (event.type === 'file' ? event.name : event.text);

function agentsOf(users: AgentChat['users']): AgentIdentity[] {
  return users.flatMap((user) => (user.type === 'agent' ? [{ id: user.id, name: user.name }] : []));
}

export function rowOfSummary(summary: AgentChatSummary): ChatRow {
  const customer = summary.users.find((user) => user.type === 'customer');
  const pages = customer?.type === 'customer' ? customer.last_visit?.last_pages : undefined;
  return {
    id: summary.id,
    threadId: summary.last_thread_summary.id,
    routing: summary.properties.routing,
    agents: agentsOf(summary.users),
    ...(customer?.type === 'customer' && customer.name ? { visitorName: customer.name } : {}),
    present: customer?.present ?? false,
    ...(pages && pages.length > 0 ? { page: pages[pages.length - 1] } : {}),
    ...(summary.last_event ? { lastText: textOf(summary.last_event) } : {}),
    ...(summary.sneak_peek ? { sneakPeek: summary.sneak_peek.text } : {}),
    visitorTyping: false,
  };
}

/** The transcript `get_chat` gives. */
export function transcriptOf(chat: AgentChat): TranscriptItem[] {
  const agents = agentsOf(chat.users);
  return chat.thread.events.map((event) => itemOf(event, chat.id, agents));
}

const patchRow = (state: ConsoleState, chatId: string, patch: (row: ChatRow) => Partial<ChatRow>): ConsoleState => ({
  ...state,
  chats: state.chats.map((row) => (row.id === chatId ? { ...row, ...patch(row) } : row)),
});

const appendIfOpen = (state: ConsoleState, chatId: string, item: TranscriptItem): ConsoleState =>
  state.openChatId === chatId && !state.transcript.some((existing) => existing.id === item.id)
    ? { ...state, transcript: [...state.transcript, item] }
    : state;

/** The state after `push`; chats the console does not know yet are left to a `list_chats` refresh. */
export function applyAgentPush(state: ConsoleState, push: AgentPush): ConsoleState {
  switch (push.action) {
    case 'incoming_chat_thread': {
      const { chat } = push.payload;
      const row = rowOfSummary({ ...chat, last_thread_summary: chat.thread });
      const others = state.chats.filter((existing) => existing.id !== chat.id);
      return { ...state, chats: [...others, row] };
    }
    case 'incoming_event': {
      const { chat_id: chatId, event } = push.payload;
      const row = state.chats.find((r) => r.id === chatId);
      const next = patchRow(state, chatId, (r) => ({ lastText: textOf(event), ...(event.author_id === chatId ? { sneakPeek: undefined, visitorTyping: false } : {}) }));
      return appendIfOpen(next, chatId, itemOf(event, chatId, row?.agents ?? []));
    }
    case 'incoming_typing_indicator':
      return patchRow(state, push.payload.chat_id, () => ({ visitorTyping: push.payload.typing_indicator.is_typing }));
    case 'incoming_sneak_peek':
      return patchRow(state, push.payload.chat_id, () => ({ sneakPeek: push.payload.sneak_peek.text }));
    case 'chat_properties_updated': {
      const { routing } = push.payload.properties;
      return routing ? patchRow(state, push.payload.chat_id, () => ({ routing })) : state;
    }
    case 'chat_user_added': {
      const { chat_id: chatId, user } = push.payload;
      if (user.type !== 'agent') return state;
      const next = patchRow(state, chatId, (r) => ({ agents: [...r.agents.filter((a) => a.id !== user.id), { id: user.id, name: user.name }] }));
      return appendIfOpen(next, chatId, { kind: 'notice', id: `joined-${user.id}-${next.transcript.length}`, notice: 'joined', name: user.name });
    }
    case 'chat_user_removed': {
      const { chat_id: chatId, user_id: userId } = push.payload;
      const name = state.chats.find((r) => r.id === chatId)?.agents.find((a) => a.id === userId)?.name ?? userId;
      const next = patchRow(state, chatId, (r) => ({ agents: r.agents.filter((a) => a.id !== userId) }));
      return appendIfOpen(next, chatId, { kind: 'notice', id: `left-${userId}-${next.transcript.length}`, notice: 'left', name });
    }
    case 'thread_closed': {
      const { chat_id: chatId, thread_id: threadId } = push.payload;
      const next = appendIfOpen(state, chatId, { kind: 'ended', id: `ended-${threadId}` });
      return { ...next, chats: next.chats.filter((r) => r.id !== chatId) };
    }
    case 'customer_visit_started':
      return patchRow(state, push.payload.customer_id, () => ({ present: true }));
    case 'customer_visit_ended':
      return patchRow(state, push.payload.customer_id, () => ({ present: false, visitorTyping: false }));
    case 'customer_page_updated': {
      const { url, title, referrer, opened_at: openedAt } = push.payload;
      return patchRow(state, push.payload.customer_id, () => ({ page: { url, title, referrer, opened_at: openedAt } }));
    }
    case 'agent_disconnected':
      return { ...state, error: `The server ended the session (${push.payload.reason}).` };
    case 'chat_transferred':
    case 'last_seen_timestamp_updated':
    case 'incoming_multicast':
      return state;
  }
}

/** Whether a push names a chat the console has no row for (then it refreshes the list). */
export function mentionsUnknownChat(state: ConsoleState, push: AgentPush): boolean {
  const payload = push.payload as { chat_id?: unknown; customer_id?: unknown };
  const id = typeof payload.chat_id === 'string' ? payload.chat_id : typeof payload.customer_id === 'string' ? payload.customer_id : undefined;
  return id !== undefined && push.action !== 'thread_closed' && !state.chats.some((row) => row.id === id);
}
