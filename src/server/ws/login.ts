/**
 * `login` and `start_chat`: which chat and thread a connection binds to, and what of the chat's
 * log it gets. A chat's `seq` continues across its threads; a client is only ever given the
 * current thread's pushes (`seq > thread_seq`), so a reset elsewhere never shows an old
 * conversation again, and its position (`last_seq`) stays meaningful across the reset.
 */
import { CloseCode, type JsonObject, type LoginPayload, type LoginResponse, type StoredPush } from '../../protocol';
import type { ChatRecord, ChatUser } from '../store/types';
import { FrameError } from './frame-error';
import { refuseIdentity } from './identity';
import type { Session } from './session';
import { withFileUrl } from '../files/deliver';

/** What `login` and `start_chat` answer; `after` runs once the response is sent. */
export type LoginResult = { payload: LoginResponse; after?: () => void };

function loginResponse(
  session: Session,
  chat: ChatRecord,
  fields: Pick<LoginResponse, 'resumed' | 'recovered' | 'last_seq' | 'history'>,
): LoginResponse {
  return {
    chat_id: chat.id,
    customer_id: chat.id,
    thread_id: chat.thread.id,
    thread_seq: chat.thread.startSeq,
    token: session.app.tokens.sign(chat.id),
    ...fields,
    // Each file in the history gets a freshly signed URL (files/deliver.ts).
    history: fields.history.map((push) => withFileUrl(push, session.app.fileUrls, session.app.publicUrl)),
    settings: session.endpoint.settings,
  };
}

/** A new chat bound to the session; its `start` item runs once the client has the response. */
export async function startChat(session: Session, context: JsonObject, user?: ChatUser): Promise<LoginResult> {
  const { chat, startItem } = await session.app.chats.openChat(session.endpoint, context, user);
  session.bind(chat.id);
  return {
    payload: loginResponse(session, chat, { resumed: false, recovered: true, last_seq: 0, history: [] }),
    after: () => {
      session.goLive(0, []);
      session.app.runtime.submit(startItem);
    },
  };
}

/**
 * A new thread in `chat` (closing the current one when open), bound to the session. The
 * `thread_closed` is published after the response: this tab skips it (it is at or below the
 * cursor), the chat's other tabs get it and follow to the new thread.
 */
export async function startThread(session: Session, chat: ChatRecord, context?: JsonObject): Promise<LoginResult> {
  const result = await session.app.chats.startThread(chat.id, context);
  // Erased meanwhile (DELETE /api/v1/chats/{chatId}): the visitor starts over in a new chat.
  if (!result) return startChat(session, context ?? chat.context);
  session.bind(chat.id);
  const lastSeq = result.chat.lastSeq;
  return {
    payload: loginResponse(session, result.chat, { resumed: true, recovered: true, last_seq: lastSeq, history: [] }),
    after: () => {
      session.goLive(lastSeq, []);
      session.app.chats.announceThread(chat.id, result);
      session.app.runtime.submit(result.startItem);
    },
  };
}

/**
 * The token's chat, when the token is genuine and fresh and the chat is this endpoint's, and it
 * belongs to the same visitor: a verified visitor's chat only to that verified user, an
 * anonymous chat only to an anonymous login. Nothing of the chat is read before the signature
 * checks out, so a bare or guessed `chatId` learns nothing (not even whether it exists). A pre-v1
 * token ages from the chat's creation.
 */
async function resumable(session: Session, token: string | undefined, userId: string | undefined): Promise<ChatRecord | undefined> {
  const { tokens, store } = session.app;
  const verified = token === undefined ? undefined : tokens.verify(token);
  const chat = verified === undefined ? undefined : await store.getChat(verified.chatId);
  if (!chat || verified === undefined) return undefined;
  const { endpoint, organization } = session.endpoint;
  const fresh = verified.issuedAt !== undefined || tokens.isFresh(Date.parse(chat.createdAt));
  const sameVisitor = (chat.user?.id ?? undefined) === userId;
  return fresh && sameVisitor && chat.endpoint === endpoint && chat.organization === organization ? chat : undefined;
}

const lastSeqOf = (pushes: readonly StoredPush[], fallback: number): number =>
  Math.max(fallback, pushes.at(-1)?.payload.seq ?? 0);

/**
 * A verified visitor's identity, or a refusal: an `authentication` error, then the socket closes
 * with 1008 (the widget stops and says it cannot connect). Nothing is read or stored before.
 */
function verified(session: Session, p: LoginPayload): ChatUser | undefined {
  if (!p.user) return undefined;
  const refusal = refuseIdentity(session.endpoint, p.user);
  if (refusal !== undefined) {
    session.app.logger.warn('visitor identity refused', { endpoint: session.endpoint.endpoint, reason: refusal });
    setImmediate(() => session.close(CloseCode.PolicyViolation, 'identity refused'));
    throw new FrameError('authentication', `the visitor identity could not be verified (${refusal})`);
  }
  const { id, name, email } = p.user;
  return { id, ...(name === undefined ? {} : { name }), ...(email === undefined ? {} : { email }) };
}

/** The verified visitor's chat, created at the first login from any browser. */
async function userChat(session: Session, user: ChatUser, context: JsonObject): Promise<ChatRecord | LoginResult> {
  const { store } = session.app;
  const existing = await store.findChatByUser(session.endpoint.endpoint, user.id);
  if (existing) return existing;
  try {
    return await startChat(session, context, user);
  } catch (error) {
    // Another browser of the same user created it meanwhile (the unique index refused ours).
    const raced = await store.findChatByUser(session.endpoint.endpoint, user.id);
    if (!raced) throw error;
    return raced;
  }
}

/**
 * The returning verified visitor's chat with the profile this login gives: a `name` or `email`
 * given replaces the stored one (the site knows the visitor better now), one left out keeps it.
 * Written only when something changed.
 */
async function withProfile(session: Session, chat: ChatRecord, user: ChatUser): Promise<ChatRecord> {
  const stored = chat.user ?? { id: user.id };
  const name = user.name ?? stored.name;
  const email = user.email ?? stored.email;
  if (name === stored.name && email === stored.email) return chat;
  const profile: ChatUser = { id: user.id, ...(name === undefined ? {} : { name }), ...(email === undefined ? {} : { email }) };
  await session.app.store.updateChatUser(chat.id, profile);
  return { ...chat, user: profile };
}

export async function login(session: Session, request: LoginPayload): Promise<LoginResult> {
  let p = request;
  const user = verified(session, p);
  let chat = await resumable(session, p.token, user?.id);
  if (!chat && user) {
    const found = await userChat(session, user, p.context ?? {});
    if (!('id' in found)) return found;
    chat = found;
    // A position from another chat (another visitor's token) means nothing here: the current thread, whole.
    p = { ...p, last_seq: undefined, history: true };
  }
  if (!chat) return startChat(session, p.context ?? {});
  if (user) chat = await withProfile(session, chat, user);
  // A reset asked for while offline, or a chat whose conversation was closed: a new thread.
  if (p.new_thread === true || chat.thread.closedAt !== null) return startThread(session, chat, p.context);
  const { store } = session.app;
  session.bind(chat.id);
  const bounds = await store.logBounds(chat.id);
  const threadSeq = chat.thread.startSeq;
  const seen = p.last_seq ?? 0;
  // A position before the thread belongs to an earlier conversation: the client gets this one whole.
  const inThread = seen >= threadSeq;
  // The client's position must lie inside what is retained; otherwise it rebuilds from all of it.
  const recovered = !inThread || (seen <= bounds.lastSeq && seen >= bounds.oldestSeq - 1);
  session.app.metrics.resumes.inc({ result: recovered ? 'recovered' : 'rebuilt' });
  let history: StoredPush[];
  let replay: StoredPush[];
  let cursor: number;
  if (!recovered || !inThread) {
    history = await store.readLog(chat.id, { after: threadSeq });
    replay = [];
    cursor = lastSeqOf(history, bounds.lastSeq);
  } else if (p.history === true) {
    const all = await store.readLog(chat.id, { after: threadSeq });
    history = all.filter((push) => push.payload.seq <= seen);
    replay = all.filter((push) => push.payload.seq > seen);
    cursor = seen;
  } else {
    history = [];
    replay = await store.readLog(chat.id, { after: seen });
    cursor = seen;
  }
  return {
    payload: loginResponse(session, chat, {
      resumed: true,
      recovered,
      last_seq: lastSeqOf(replay, Math.max(cursor, bounds.lastSeq)),
      history,
    }),
    after: () => session.goLive(cursor, replay),
  };
}
