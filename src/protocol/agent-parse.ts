/**
 * Parsers of the agent websocket: {@link parseAgentRequest} (what the server accepts from an
 * agent) and {@link parseAgentServerFrame} (what the console accepts from the server). Both take
 * text from the wire and never throw.
 */
import type {
  AgentChat,
  AgentChatSummary,
  AgentEvent,
  AgentPush,
  AgentRequest,
  AgentRequestAction,
  AgentRequestPayloads,
  AgentServerFrame,
  ChatUser,
  RoutingProperty,
  VisitorPage,
} from './agent-frames';
import { AGENT_DISCONNECT_REASONS } from './agent-frames';
import { isErrorType, type ErrorBody, type ErrorType } from './errors';
import { Limits } from './limits';
import { messageEvent, parseRequest, type PayloadParsers, type RequestParseResult } from './request-envelope';
import { array, boolean, check, count, object, oneOf, optional, readWith, shape, string, type Reader } from './parse-server';
import { fail, isObject, ok, requiredString, type JsonObject, type Result } from './result';

/** The longest agent key accepted in `login` (longer ones cannot be configured keys anyway). */
const KEY_CHARS = 512;
/** Agents a chat can be transferred to at once. */
const TRANSFER_IDS = 20;


const chatId = (p: JsonObject): Result<string> => requiredString(p, 'chat_id', Limits.nameChars);
const onlyChat = (p: JsonObject): Result<{ chat_id: string }> => {
  const id = chatId(p);
  return id.ok ? ok({ chat_id: id.value }) : id;
};

const requestParsers: PayloadParsers<AgentRequestAction, AgentRequestPayloads> = {
  login(p) {
    const token = requiredString(p, 'token', KEY_CHARS);
    return token.ok ? ok({ token: token.value }) : token;
  },
  ping: () => ok({}),
  list_chats: () => ok({}),
  get_chat: onlyChat,
  add_user_to_chat: onlyChat,
  remove_user_from_chat: onlyChat,
  deactivate_chat: onlyChat,
  send_event(p) {
    const id = chatId(p);
    if (!id.ok) return id;
    const message = messageEvent(p);
    if (!message.ok) return message;
    return ok({ chat_id: id.value, event: { type: 'message', text: message.value.text } });
  },
  send_typing_indicator(p) {
    const id = chatId(p);
    if (!id.ok) return id;
    if (typeof p.is_typing !== 'boolean') return fail('is_typing must be a boolean');
    return ok({ chat_id: id.value, is_typing: p.is_typing });
  },
  transfer_chat(p) {
    const id = chatId(p);
    if (!id.ok) return id;
    const target = p.target;
    if (!isObject(target)) return fail('target must be an object');
    if (target.type !== 'agent') return fail("target.type must be 'agent'");
    const ids = target.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > TRANSFER_IDS) {
      return fail(`target.ids must be an array of 1 to ${TRANSFER_IDS} agent ids`);
    }
    const clean: string[] = [];
    for (const value of ids) {
      if (typeof value !== 'string' || value.length === 0 || value.length > Limits.nameChars) {
        return fail('target.ids must hold non-empty strings');
      }
      if (!clean.includes(value)) clean.push(value);
    }
    return ok({ chat_id: id.value, target: { type: 'agent', ids: clean } });
  },
  mark_events_as_seen(p) {
    const id = chatId(p);
    if (!id.ok) return id;
    const seen = requiredString(p, 'seen_up_to', 64);
    if (!seen.ok) return seen;
    if (Number.isNaN(Date.parse(seen.value))) return fail('seen_up_to must be an ISO 8601 date-time');
    return ok({ chat_id: id.value, seen_up_to: new Date(seen.value).toISOString() });
  },
};

/**
 * Parses one text frame from an agent. Malformed JSON, wrong types and unknown actions (the
 * widget's own actions included) come back as `{ ok: false }` with what could be read.
 */
export const parseAgentRequest = (text: string): RequestParseResult<AgentRequest> => parseRequest<AgentRequest>(requestParsers, text);

// ---- server frames (the console's side) -------------------------------------------------------

const looseRecord = check<Record<string, unknown>>(isObject);
const page = shape<VisitorPage>({ url: string, title: string, referrer: string, opened_at: string });

const user: Reader<ChatUser> = (value, path) => {
  const { type } = shape({ type: oneOf('customer', 'agent') })(value, path);
  if (type === 'agent') {
    return shape({ id: string, type: oneOf<'agent'>('agent'), name: string, present: boolean })(value, path);
  }
  return shape({
    id: string,
    type: oneOf<'customer'>('customer'),
    name: optional(string),
    email: optional(string),
    present: boolean,
    last_visit: optional(
      shape({ visit_id: count, started_at: string, ended_at: optional(string), last_pages: array(page) }),
    ),
  })(value, path);
};

const routing = shape<RoutingProperty>({ status: oneOf('bot', 'queued', 'assigned'), reason: optional(string) });
const properties = shape({ routing });
const eventBase = { id: string, author_id: string, created_at: string, visibility: oneOf<'all'>('all'), seq: optional(count) };
const event: Reader<AgentEvent> = (value, path) => {
  const { type } = shape({ type: oneOf('message', 'file') })(value, path);
  if (type === 'file') {
    return shape<AgentEvent>({ ...eventBase, type: oneOf<'file'>('file'), name: string, url: string, content_type: string, size: count })(value, path);
  }
  return shape<AgentEvent>({ ...eventBase, type: oneOf<'message'>('message'), text: string })(value, path);
};
const sneakPeek = shape({ author_id: string, text: string });
const chat = shape<AgentChat>({
  id: string,
  users: array(user),
  properties,
  thread: shape({ id: string, active: boolean, created_at: string, events: array(event) }),
});
const summary = shape<AgentChatSummary>({
  id: string,
  users: array(user),
  properties,
  last_thread_summary: shape({ id: string, active: boolean, created_at: string }),
  last_event: optional(event),
  sneak_peek: optional(sneakPeek),
});
const inThread = { chat_id: string, thread_id: string };
const visit = { customer_id: string, visit_id: count };

/** The payload reader of each push action (a null prototype: an action named `constructor` is unknown). */
const PUSHES: Record<string, Reader<unknown>> = Object.assign(Object.create(null) as object, {
  incoming_chat_thread: shape({ chat }),
  incoming_event: shape({ ...inThread, event }),
  incoming_typing_indicator: shape({ ...inThread, typing_indicator: shape({ author_id: string, is_typing: boolean }) }),
  incoming_sneak_peek: shape({ ...inThread, sneak_peek: sneakPeek }),
  chat_properties_updated: shape({ chat_id: string, properties: shape({ routing: optional(routing) }) }),
  chat_user_added: shape({ ...inThread, user, user_type: oneOf('agent', 'customer') }),
  chat_user_removed: shape({ ...inThread, user_id: string, user_type: oneOf('agent', 'customer') }),
  chat_transferred: shape({ chat_id: string, requester_id: string, type: oneOf('agent'), ids: array(string) }),
  thread_closed: shape({ ...inThread, user_id: optional(string) }),
  customer_visit_started: shape({ ...visit, started_at: string, user_agent: optional(string) }),
  customer_visit_ended: shape({ ...visit, ended_at: string }),
  customer_page_updated: shape({ ...visit, opened_at: string, url: string, title: string, referrer: string }),
  last_seen_timestamp_updated: shape({ user_id: string, chat_id: string, timestamp: count }),
  incoming_multicast: shape({ author_id: optional(string), content: looseRecord, type: optional(string) }),
  agent_disconnected: shape({ reason: oneOf(...AGENT_DISCONNECT_REASONS), data: optional(looseRecord) }),
});

const pushAction = check<string>((v) => typeof v === 'string' && PUSHES[v] !== undefined);

const push: Reader<AgentPush> = (value, path) => {
  const { action, payload } = shape({ type: oneOf('push'), action: pushAction, payload: object })(value, path);
  return { action, type: 'push', payload: PUSHES[action]!(payload, `${path}.payload`) } as AgentPush;
};

const errorBody = shape<ErrorBody>({ type: check<ErrorType>(isErrorType), message: string });

const response: Reader<AgentServerFrame> = (value, path) => {
  const frame = shape({ type: oneOf<'response'>('response'), request_id: string, action: string, success: boolean })(value, path);
  const { payload, error } = value as JsonObject;
  return frame.success
    ? ({ ...frame, payload: object(payload, `${path}.payload`) } as AgentServerFrame)
    : { ...frame, success: false, error: errorBody(error, `${path}.error`) };
};

/** Parses one text frame from the agent websocket; response payloads are parsed by their reader below. */
export function parseAgentServerFrame(text: string): Result<AgentServerFrame> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('frame is not JSON');
  }
  return readWith<AgentServerFrame>(isObject(raw) && raw.type === 'push' ? push : response, raw, 'frame');
}

/** Parses a push object (an agent push relayed between nodes). */
export const parseAgentPush = (raw: unknown): Result<AgentPush> => readWith(push, raw, 'push');

/** Parses the payload of a `get_chat` response. */
export const parseAgentChat = (raw: unknown): Result<AgentChat> => readWith(chat, raw, 'chat');

/** Parses a `login` response payload. */
export const parseAgentLogin = (raw: unknown): Result<{ agent: { id: string; name: string }; chats: AgentChatSummary[] }> =>
  readWith(shape({ agent: shape({ id: string, name: string }), chats: array(summary) }), raw, 'login');

/** Parses a `list_chats` response payload. */
export const parseChatList = (raw: unknown): Result<{ chats_summary: AgentChatSummary[]; found_chats: number }> =>
  readWith(shape({ chats_summary: array(summary), found_chats: count }), raw, 'list_chats');
