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
import type { DialogRecord, InboundInput } from '../store/types';
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

function loginResponse(
  session: Session,
  dialog: DialogRecord,
  fields: Pick<LoginResponse, 'resumed' | 'recovered' | 'last_seq' | 'history'>,
): LoginResponse {
  return {
    chat_id: dialog.id,
    customer_id: dialog.id,
    token: session.app.tokens.sign(dialog.id),
    ...fields,
    settings: session.endpoint.settings,
  };
}

/** What `login` and `start_chat` answer. */
type LoginResult = { payload: LoginResponse; after?: () => void };

/** A new dialog bound to the session; its `start` item runs once the client has the response. */
async function startDialog(session: Session, context: JsonObject): Promise<LoginResult> {
  const { dialog } = await session.app.chats.openDialog(session.endpoint, context);
  session.bind(dialog.id);
  return {
    payload: loginResponse(session, dialog, { resumed: false, recovered: true, last_seq: 0, history: [] }),
    after: () => {
      session.goLive(0, []);
      session.app.runtime.schedule(dialog.id);
    },
  };
}

/**
 * The token's dialog, when the token is genuine and fresh and the dialog is open and this
 * endpoint's. Nothing of the dialog is read before the signature checks out, so a bare or guessed
 * `chatId` learns nothing (not even whether it exists). A pre-v1 token ages from the dialog's creation.
 */
async function resumable(session: Session, token: string | undefined): Promise<DialogRecord | undefined> {
  const { tokens, store } = session.app;
  const verified = token === undefined ? undefined : tokens.verify(token);
  const dialog = verified === undefined ? undefined : await store.getDialog(verified.chatId);
  if (!dialog || verified === undefined) return undefined;
  const { endpoint, organization } = session.endpoint;
  const fresh = verified.issuedAt !== undefined || tokens.isFresh(Date.parse(dialog.createdAt));
  const ok = fresh && dialog.endpoint === endpoint && dialog.organization === organization && dialog.closedAt === null;
  return ok ? dialog : undefined;
}

const lastSeqOf = (pushes: readonly StoredPush[], fallback: number): number =>
  Math.max(fallback, pushes.at(-1)?.payload.seq ?? 0);

async function login(session: Session, p: LoginPayload): Promise<LoginResult> {
  const dialog = await resumable(session, p.token);
  if (!dialog) return startDialog(session, p.context ?? {});
  const { store } = session.app;
  session.bind(dialog.id);
  const bounds = await store.logBounds(dialog.id);
  const seen = p.last_seq ?? 0;
  // The client's position must lie inside what is retained; otherwise it rebuilds from all of it.
  const recovered = seen <= bounds.lastSeq && seen >= bounds.oldestSeq - 1;
  session.app.metrics.resumes.inc({ result: recovered ? 'recovered' : 'rebuilt' });
  let history: StoredPush[];
  let replay: StoredPush[];
  let cursor: number;
  if (!recovered) {
    history = await store.readLog(dialog.id, { after: 0 });
    replay = [];
    cursor = lastSeqOf(history, bounds.lastSeq);
  } else if (p.history === true) {
    const all = await store.readLog(dialog.id, { after: 0 });
    history = all.filter((push) => push.payload.seq <= seen);
    replay = all.filter((push) => push.payload.seq > seen);
    cursor = seen;
  } else {
    history = [];
    replay = await store.readLog(dialog.id, { after: seen });
    cursor = seen;
  }
  return {
    payload: loginResponse(session, dialog, {
      resumed: true,
      recovered,
      last_seq: lastSeqOf(replay, Math.max(cursor, bounds.lastSeq)),
      history,
    }),
    after: () => session.goLive(cursor, replay),
  };
}

/** Stores an inbound item of the session's dialog; `closed` and `missing` become error responses. */
async function accept(session: Session, input: Omit<InboundInput, 'dialogId' | 'requireOpen'>) {
  const dialogId = session.dialogId ?? '';
  const result = await session.app.chats.accept({ ...input, dialogId, requireOpen: true });
  if (result.status === 'closed') throw new FrameError('validation', 'this chat is closed; start a new one');
  if (result.status === 'missing') throw new FrameError('not_found', 'this chat does not exist');
  const after = () => {
    if (result.status === 'accepted' && result.push) session.app.chats.publish(dialogId, result.push);
    if (result.status === 'accepted') session.app.runtime.schedule(dialogId);
  };
  return { result, after };
}

const actions: { [A in RequestAction]: Action<A> } = {
  login,

  async start_chat(session, p) {
    const previous = session.dialogId ?? '';
    const old = await session.app.store.getDialog(previous);
    // Unbound first, so this tab does not receive the closing of the chat it is leaving.
    session.unbind();
    await session.app.chats.closeDialog(previous);
    return startDialog(session, p.context ?? old?.context ?? {});
  },

  async send_event(session, p) {
    const { text, custom_id: customId } = p.event;
    const id = randomUUID();
    const { result, after } = await accept(session, {
      kind: 'message',
      payload: { text, event_id: id },
      customId,
      push: messagePush(session.dialogId ?? '', { id, author: 'visitor', text, customId }),
    });
    if (result.status === 'duplicate') {
      const original = result.item.payload.event_id;
      return { payload: { event_id: typeof original === 'string' ? original : '', seq: result.seq ?? 0 } };
    }
    return { payload: { event_id: id, seq: result.push?.payload.seq ?? 0 }, after };
  },

  async send_rich_message_postback(session, p) {
    const { event_id: eventId, postback, custom_id: customId, text: shown } = p;
    const { result, after } = await accept(session, {
      kind: 'postback',
      // The bot gets the postback (a quick reply's text, a button's postback); the transcript shows `shown` when given (a button's title).
      payload: { text: postback.id, event_id: eventId, toggled: postback.toggled },
      customId,
      push: postbackPush(session.dialogId ?? '', eventId, postback, customId, shown),
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
    const updated = await session.app.store.updateContext(session.dialogId ?? '', p.context);
    if (!updated) throw new FrameError('not_found', 'this chat does not exist');
    return { payload: {} };
  },

  async ping() {
    return { payload: {} };
  },

  // What the visitor is typing and which page it is on: for agents only, nothing is stored.
  async send_sneak_peek(session, p) {
    session.app.agents?.feed.draft(session.dialogId ?? '', session.endpoint.endpoint, p.sneak_peek_text);
    return { payload: {} };
  },

  async update_customer_page(session, p) {
    session.app.agents?.feed.page(session.dialogId ?? '', session.endpoint.endpoint, p);
    return { payload: {} };
  },
};

/** Runs the action of a parsed request. */
export function runAction(session: Session, request: ClientRequest): Promise<ActionResult> {
  const action = actions[request.action] as Action<RequestAction>;
  return action(session, request.payload as never);
}
