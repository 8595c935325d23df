/**
 * The agent websocket (`/agent/rtm?organization=ORG`): LiveChat's Agent Chat RTM API, in the same
 * envelope as the widget's protocol (frames.ts). Request, response and push names and payload
 * shapes follow LiveChat's; docs/agent-api.md documents every one with an example.
 */
import type { ErrorBody } from './errors';

/** The agent's own identity, as configured (`agents: [{ id, name, key }]`). */
export interface AgentIdentity {
  id: string;
  name: string;
}

/** A visitor's page (LiveChat's "last_pages" entry and `customer_page_updated`). */
export interface VisitorPage {
  url: string;
  title: string;
  referrer: string;
  opened_at: string;
}

/** LiveChat's "User > Customer": the chat's visitor. Its `id` is the chat's id. */
export interface CustomerUser {
  id: string;
  type: 'customer';
  name?: string;
  email?: string;
  /** True while a page with the widget is open. */
  present: boolean;
  last_visit?: { visit_id: number; started_at: string; ended_at?: string; last_pages: VisitorPage[] };
}

/** LiveChat's "User > Agent". */
export interface AgentUser {
  id: string;
  type: 'agent';
  name: string;
  /** True while the agent has a live agent connection. */
  present: boolean;
}

export type ChatUser = CustomerUser | AgentUser;

/**
 * Routing of a chat: `bot` while the bot answers, `queued` after `ctx.handoff()` until an agent
 * joins, `assigned` while agents are in it.
 */
export interface RoutingProperty {
  status: 'bot' | 'queued' | 'assigned';
  reason?: string;
}

export interface ChatProperties {
  routing: RoutingProperty;
}

/** LiveChat's "Event" of type message. `author_id` is the customer id, `bot`, or an agent id. */
export interface AgentMessageEvent {
  id: string;
  type: 'message';
  author_id: string;
  text: string;
  created_at: string;
  visibility: 'all';
  /** The per-chat `seq` of the stored push this event is (widget protocol). */
  seq?: number;
}

/**
 * LiveChat's "Event" of type file: a file the visitor sent. `url` is signed and expires
 * (docs/agent-api.md, "Files"): made fresh for every push and every chat view.
 */
export interface AgentFileEvent {
  id: string;
  type: 'file';
  author_id: string;
  created_at: string;
  visibility: 'all';
  name: string;
  url: string;
  /** Sniffed from the bytes by the server. */
  content_type: string;
  /** Bytes. */
  size: number;
  seq?: number;
}

export type AgentEvent = AgentMessageEvent | AgentFileEvent;

export interface AgentThread {
  id: string;
  active: boolean;
  created_at: string;
  events: AgentEvent[];
}

/** A chat as `get_chat` and `incoming_chat_thread` give it. */
export interface AgentChat {
  id: string;
  users: ChatUser[];
  properties: ChatProperties;
  thread: AgentThread;
}

/** A chat as `login` and `list_chats` give it: no events, the newest one and the sneak peek. */
export interface AgentChatSummary {
  id: string;
  users: ChatUser[];
  properties: ChatProperties;
  last_thread_summary: { id: string; active: boolean; created_at: string };
  last_event?: AgentEvent;
  sneak_peek?: { author_id: string; text: string };
}

// ---- requests ---------------------------------------------------------------------------------

export interface AgentRequestPayloads {
  login: { token: string };
  ping: Record<string, never>;
  list_chats: Record<string, never>;
  get_chat: { chat_id: string };
  add_user_to_chat: { chat_id: string };
  remove_user_from_chat: { chat_id: string };
  send_event: { chat_id: string; event: { type: 'message'; text: string } };
  send_typing_indicator: { chat_id: string; is_typing: boolean };
  transfer_chat: { chat_id: string; target: { type: 'agent'; ids: string[] } };
  deactivate_chat: { chat_id: string };
  mark_events_as_seen: { chat_id: string; seen_up_to: string };
}

export type AgentRequestAction = keyof AgentRequestPayloads;

export type AgentRequest = {
  [A in AgentRequestAction]: { request_id: string; action: A; payload: AgentRequestPayloads[A] };
}[AgentRequestAction];

export interface AgentResponsePayloads {
  login: { agent: AgentIdentity; chats: AgentChatSummary[] };
  ping: Record<string, never>;
  list_chats: { chats_summary: AgentChatSummary[]; found_chats: number };
  get_chat: AgentChat;
  add_user_to_chat: Record<string, never>;
  remove_user_from_chat: Record<string, never>;
  send_event: { event_id: string };
  send_typing_indicator: Record<string, never>;
  transfer_chat: Record<string, never>;
  deactivate_chat: Record<string, never>;
  mark_events_as_seen: Record<string, never>;
}

export type AgentResponse =
  | {
      [A in AgentRequestAction]: {
        request_id: string;
        action: A;
        type: 'response';
        success: true;
        payload: AgentResponsePayloads[A];
      };
    }[AgentRequestAction]
  | { request_id: string; action: string; type: 'response'; success: false; error: ErrorBody };

// ---- pushes -----------------------------------------------------------------------------------

/** The seed's reasons for `agent_disconnected`. */
export const AGENT_DISCONNECT_REASONS = [
  'access_token_revoked',
  'access_token_expired',
  'license_expired',
  'agent_deleted',
  'agent_logged_out_remotely',
  'agent_disconnected_by_server',
  'unsupported_version',
  'ping_timeout',
  'internal_error',
  'too_many_connections',
  'misdirected_request',
  'product_version_changed',
  'license_not_found',
] as const;

export type AgentDisconnectReason = (typeof AGENT_DISCONNECT_REASONS)[number];

export interface AgentPushPayloads {
  incoming_chat_thread: { chat: AgentChat };
  incoming_event: { chat_id: string; thread_id: string; event: AgentEvent };
  incoming_typing_indicator: { chat_id: string; thread_id: string; typing_indicator: { author_id: string; is_typing: boolean } };
  incoming_sneak_peek: { chat_id: string; thread_id: string; sneak_peek: { author_id: string; text: string } };
  chat_properties_updated: { chat_id: string; properties: Partial<ChatProperties> };
  chat_user_added: { chat_id: string; thread_id: string; user: ChatUser; user_type: 'agent' | 'customer' };
  chat_user_removed: { chat_id: string; thread_id: string; user_id: string; user_type: 'agent' | 'customer' };
  chat_transferred: { chat_id: string; requester_id: string; type: 'agent'; ids: string[] };
  thread_closed: { chat_id: string; thread_id: string; user_id?: string };
  customer_visit_started: { customer_id: string; visit_id: number; started_at: string; user_agent?: string };
  customer_visit_ended: { customer_id: string; visit_id: number; ended_at: string };
  customer_page_updated: { customer_id: string; visit_id: number; opened_at: string; url: string; title: string; referrer: string };
  last_seen_timestamp_updated: { user_id: string; chat_id: string; timestamp: number };
  incoming_multicast: { author_id?: string; content: Record<string, unknown>; type?: string };
  agent_disconnected: { reason: AgentDisconnectReason; data?: Record<string, unknown> };
}

export type AgentPushAction = keyof AgentPushPayloads;

export type AgentPush = {
  [A in AgentPushAction]: { action: A; type: 'push'; payload: AgentPushPayloads[A] };
}[AgentPushAction];

export type AgentServerFrame = AgentResponse | AgentPush;

/** Every push action, in the order docs/agent-api.md lists them. */
export const AGENT_PUSH_ACTIONS: readonly AgentPushAction[] = [
  'incoming_chat_thread',
  'incoming_event',
  'incoming_typing_indicator',
  'incoming_sneak_peek',
  'chat_properties_updated',
  'chat_user_added',
  'chat_user_removed',
  'chat_transferred',
  'thread_closed',
  'customer_visit_started',
  'customer_visit_ended',
  'customer_page_updated',
  'last_seen_timestamp_updated',
  'incoming_multicast',
  'agent_disconnected',
];

/** The author id of the bot's messages and typing indicator. */
export const BOT_AUTHOR_ID = 'bot';
