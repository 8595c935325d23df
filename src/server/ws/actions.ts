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
import { messagePush, postbackPush } from '../chat/pushes';
import type { InboundInput } from '../store/types';
import { login, startChat, startThread } from './login';
import type { Session } from './session';

/** An action failure sent back as an error response (`success: false`). */
export class FrameError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

export interface ActionResult<A extends RequestAction = RequestAction> {
  payload: ResponsePayloads[A];
  /** Runs right after the response is sent, in the same turn. */
  after?: () => void;
}

type Action<A extends RequestAction> = (session: Session, payload: RequestPayloads[A]) => Promise<ActionResult<A>>;

/** Stores an inbound item of the session's chat; `closed` and `missing` become error responses. */
async function accept(session: Session, input: Omit<InboundInput, 'chatId' | 'requireOpen'>) {
  const chatId = session.chatId ?? '';
  const result = await session.app.chats.accept({ ...input, chatId, requireOpen: true });
  if (result.status === 'closed') throw new FrameError('validation', 'this chat is closed; start a new one');
  if (result.status === 'missing') throw new FrameError('not_found', 'this chat does not exist');
  const after = () => {
    if (result.status === 'accepted' && result.push) session.app.chats.publish(chatId, result.push);
    if (result.status === 'accepted') session.app.runtime.schedule(chatId);
  };
  return { result, after };
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
    const id = randomUUID();
    const { result, after } = await accept(session, {
      kind: 'message',
      payload: { text, event_id: id },
      customId,
      push: messagePush(session.chatId ?? '', { id, author: 'visitor', text, customId }),
    });
    if (result.status === 'duplicate') {
      const original = result.item.payload.event_id;
      return { payload: { event_id: typeof original === 'string' ? original : '', seq: result.seq ?? 0 } };
    }
    return { payload: { event_id: id, seq: result.push?.payload.seq ?? 0 }, after };
  },

  async send_rich_message_postback(session, p) {
    const { event_id: eventId, postback, custom_id: customId } = p;
    const { result, after } = await accept(session, {
      kind: 'postback',
      payload: { text: postback.id, event_id: eventId, toggled: postback.toggled },
      customId,
      push: postbackPush(session.chatId ?? '', eventId, postback, customId),
    });
    const seq = result.status === 'duplicate' ? (result.seq ?? 0) : (result.push?.payload.seq ?? 0);
    return { payload: { event_id: eventId, seq }, after };
  },

  async page_event(session, p) {
    const payload: JsonObject = p.body === undefined ? { alias: p.alias } : { alias: p.alias, body: p.body };
    const { after } = await accept(session, { kind: 'page_event', payload, customId: p.custom_id });
    return { payload: { accepted: true }, after };
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
