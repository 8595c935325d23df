/**
 * The websocket actions (payloads as typed in protocol/frames.ts). Each stores what it must,
 * returns the response payload, and leaves what has to follow the response (replaying pushes,
 * publishing the visitor's own push, scheduling the bot) to `after`.
 */
import { randomUUID } from 'node:crypto';
import type {
  ClientRequest,
  ErrorType,
  JsonObject,
  LoginPayload,
  LoginResponse,
  RequestAction,
  RequestPayloads,
  ResponsePayloads,
  StoredPush,
} from '../../protocol';
import type { ChatIntake } from '../chat/service';
import { FrameError } from './frame-error';
import { login, startChat, startThread } from './login';
import type { Session } from './session';

export { FrameError } from './frame-error';

export interface ActionResult<A extends RequestAction = RequestAction> {
  payload: ResponsePayloads[A];
  /** Runs right after the response is sent, in the same turn. */
  after?: () => void;
}

type Action<A extends RequestAction> = (session: Session, payload: RequestPayloads[A]) => Promise<ActionResult<A>>;

/** Hands what the visitor sent to the chat's intake; `closed` and `missing` become error responses. */
async function ingest(session: Session, input: ChatIntake) {
  const result = await session.app.chats.ingest(session.chatId ?? '', input, { requireOpen: true });
  if (result.status === 'closed') throw new FrameError('validation', 'this chat is closed; start a new one');
  if (result.status === 'missing') {
    // Erased (by another node, or while this socket was busy): the widget reconnects into a new chat.
    setImmediate(() => session.erased());
    throw new FrameError('not_found', 'this chat does not exist');
  }
  return result;
}

const actions: { [A in RequestAction]: Action<A> } = {
  login,

  async start_chat(session, p) {
    const chat = await session.app.store.getChat(session.chatId ?? '');
    // The chat was erased under this tab: the visitor starts over in a new chat.
    if (!chat) return startChat(session, p.context ?? {});
    return startThread(session, chat, p.context);
  },

  async send_event(session, p) {
    const { text, custom_id: customId } = p.event;
    const result = await ingest(session, { kind: 'message', text, eventId: randomUUID(), customId });
    if (result.status === 'duplicate') {
      const original = result.item.input;
      return { payload: { event_id: original.kind === 'message' ? original.eventId : '', seq: result.seq ?? 0 } };
    }
    return { payload: { event_id: result.item.input.kind === 'message' ? result.item.input.eventId : '', seq: result.push?.payload.seq ?? 0 }, after: result.release };
  },

  async send_rich_message_postback(session, p) {
    const { event_id: eventId, postback, custom_id: customId, text: shown } = p;
    // The bot gets the postback (a quick reply's text, a button's postback); the transcript shows `shown` when given (a button's title).
    const result = await ingest(session, { kind: 'postback', eventId, postback, customId, ...(shown === undefined ? {} : { shown }) });
    if (result.status === 'duplicate') return { payload: { event_id: eventId, seq: result.seq ?? 0 } };
    return { payload: { event_id: eventId, seq: result.push?.payload.seq ?? 0 }, after: result.release };
  },

  async page_event(session, p) {
    const result = await ingest(session, { kind: 'page_event', alias: p.alias, ...(p.body === undefined ? {} : { body: p.body }), customId: p.custom_id });
    return { payload: { accepted: true }, ...(result.status === 'accepted' ? { after: result.release } : {}) };
  },

  async update_context(session, p) {
    const updated = await session.app.store.updateContext(session.chatId ?? '', p.context);
    if (!updated) throw new FrameError('not_found', 'this chat does not exist');
    return { payload: {} };
  },

  async ping() {
    return { payload: {} };
  },

  // What the visitor is typing and which page it is on: for agents only, nothing is stored.
  async send_sneak_peek(session, p) {
    session.app.agents?.feed.draft(session.chatId ?? '', session.endpoint.endpoint, p.sneak_peek_text);
    return { payload: {} };
  },

  async update_customer_page(session, p) {
    session.app.agents?.feed.page(session.chatId ?? '', session.endpoint.endpoint, p);
    return { payload: {} };
  },
};

/** Runs the action of a parsed request. */
export function runAction(session: Session, request: ClientRequest): Promise<ActionResult> {
  const action = actions[request.action] as Action<RequestAction>;
  return action(session, request.payload as never);
}
