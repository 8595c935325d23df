/**
 * The conversation over the transport: which login to send, what a login or start_chat response
 * means for the transcript, and the exactly-once, in-order application of stored pushes
 * (`seq === lastSeq + 1` applies, lower is a duplicate, higher is a gap that forces a resume).
 */
import {
  CLOSE_NORMAL,
  CLOSE_POLICY_VIOLATION,
  parseLoginResponse,
  type ChatSettings,
  type ErrorBody,
  type JsonObject,
  type LoginPayload,
  type Push,
  type StartChatPayload,
} from '../protocol';
import { planLogin } from './login-plan';
import { isRetryable, type RequestHandlers, type Waiter } from './pending-requests';
import { resumePoint, type ResumeRequest } from './resume';
import type { Session, SessionStore } from './session-store';
import type { Transport } from './transport';
import type { ChatClientEvents, ConnectionState, Logger } from './types';

/** Pushes held while a login or start_chat response is awaited; bounded so a broken server cannot grow it. */
const MAX_EARLY_PUSHES = 500;

export interface ConversationDeps {
  /** Sends a request and tracks its response. */
  send(action: 'login' | 'start_chat', payload: LoginPayload | StartChatPayload, handlers: RequestHandlers): void;
  transport: Transport;
  store: SessionStore;
  log: Logger;
  emit<K extends keyof ChatClientEvents>(type: K, event: ChatClientEvents[K]): void;
  state(): ConnectionState;
  setState(next: ConnectionState): void;
  isDestroyed(): boolean;
  /** Persists {@link Conversation.session} together with the outbox. */
  persist(): void;
  readContext(): JsonObject | undefined;
  /** Logged in, or a new chat loaded: send what waited (context, outbox). */
  flushQueues(): void;
  /** Logins carry a verified visitor's identity: refused, retrying cannot help. */
  identified?: boolean;
}

export interface Conversation {
  /** The chat the token opens and the last `seq` applied in it: what the next login resumes. */
  readonly session: Omit<Session, 'outbox'>;
  /** True while a start_chat is under way: requests sent now would land in the old thread. */
  readonly switching: boolean;
  /** The socket is open: log in. */
  login(): void;
  /** startNewChat(): now when logged in, else with the next login. Resolves when the new thread is loaded. */
  requestNewChat(): Promise<void>;
  /** The socket is gone: forget what belonged to it. Call after the state changed. */
  down(): void;
  rejectWaiters(error: ErrorBody): void;
  handlePush(push: Push): void;
}

/** `newChat` (resetOnLoad): the stored `session` belongs to the old conversation; the first login starts a new one. */
export function createConversation(deps: ConversationDeps, stored: Omit<Session, 'outbox'>, newChat: boolean): Conversation {
  const { transport, store, log, emit, state, isDestroyed } = deps;
  // resetOnLoad keeps the token: the new conversation is a new thread of the same chat.
  let session = stored;
  /** The thread listeners last got a `conversation` for. */
  let loadedThreadId: string | undefined;
  let settings: ChatSettings | undefined;
  let typing: boolean | string = false;
  /** The page shows no transcript (first login, or its thread was closed): ask for history. */
  let needTranscript = true;
  /** startNewChat() or resetOnLoad: the next login goes without a token. */
  let newChatRequested = newChat;
  /** Another tab closed our thread: its session may be in storage. */
  let reloadFromStorage = false;
  let closedChatId: string | undefined;
  let awaitingSession = false;
  let startChatInFlight = false;
  /** Gaps since a push last applied cleanly: while > 0 a login does not reset the backoff. */
  let gapStreak = 0;
  let earlyPushes: Push[] = [];
  let newChatWaiters: Waiter[] = [];

  const ready = () => state() === 'ready';
  const drop = (reason: string) => transport.drop(CLOSE_NORMAL, reason);
  const rejectWaiters = (error: ErrorBody): void => {
    for (const waiter of newChatWaiters.splice(0)) waiter.reject(error);
  };

  /** Sends `action` expecting a session (login, start_chat); pushes that overtake its response wait for it. */
  const request = (action: 'login' | 'start_chat', payload: LoginPayload | StartChatPayload, ok: (payload: JsonObject) => void, fail: (error: ErrorBody) => void) => {
    awaitingSession = true;
    earlyPushes = [];
    deps.send(action, payload, { ok, fail });
  };

  /**
   * Before a re-login, adopt the session another tab stored: after our thread was closed (the
   * other tab's session may be there), or when the stored chat is no longer ours (another tab
   * began a new chat while this one was offline). Every tab writes its session on each push, so a
   * different stored chat means another tab moved on; following it keeps the tabs of one
   * visitor in one conversation instead of opening a chat per tab.
   */
  const followOtherTabs = (): void => {
    if (!store.writable) return; // storage may hold our own stale session
    const { token, chatId, lastSeq } = store.load();
    if (token === undefined) return; // nothing stored, or storage is broken: keep ours
    if (!reloadFromStorage && chatId === session.chatId) return;
    session = { token, chatId, lastSeq };
    needTranscript = true;
  };

  const onLoginFailed = (error: ErrorBody): void => {
    awaitingSession = false;
    // Failed because the socket went: the reconnect is already scheduled.
    if (isDestroyed() || state() !== 'connecting') return;
    log('warn', 'login failed', error);
    if (error.type !== 'request_timeout') emit('error', error);
    if (error.type === 'authentication' && deps.identified === true) {
      // The server refused the visitor identity the page gave: stop (the widget says it cannot connect).
      log('error', `the visitor identity was refused: ${error.message}`);
      transport.drop(CLOSE_POLICY_VIOLATION, 'identity refused');
      return;
    }
    if (error.type === 'authentication') {
      // The token is refused: begin a new chat rather than retrying it forever.
      session = { lastSeq: 0 };
      needTranscript = true;
    }
    drop(`login failed (${error.type})`);
  };

  const sendStartChat = (): void => {
    startChatInFlight = true;
    request(
      'start_chat',
      { context: deps.readContext() },
      (payload) => {
        startChatInFlight = false;
        onSessionPayload(payload, { lastSeq: 0 }, true);
      },
      (error) => {
        startChatInFlight = false;
        awaitingSession = false;
        if (isDestroyed()) return;
        if (isRetryable(error)) {
          // newChatRequested stays set: the login after this drop starts the new chat.
          if (ready()) drop('start_chat unanswered');
          return;
        }
        newChatRequested = false;
        rejectWaiters(error);
        emit('error', error);
        deps.flushQueues();
      },
    );
  };

  const onSessionPayload = (raw: JsonObject, resume: ResumeRequest, startsNewChat: boolean): void => {
    if (isDestroyed()) return;
    const parsed = parseLoginResponse(raw);
    if (!parsed.ok) {
      awaitingSession = false;
      const message = `malformed login response: ${parsed.error}`;
      log('error', message);
      emit('error', { type: 'validation', message });
      drop('malformed login response');
      return;
    }
    const response = parsed.value;
    const { history, lastSeq } = resumePoint(response, resume);
    const isNewConversation = loadedThreadId !== response.thread_id;
    // A plain reconnect that recovered changes nothing the page shows.
    const rebuild = needTranscript || isNewConversation || !response.recovered || startsNewChat;
    const settingsChanged = JSON.stringify(settings) !== JSON.stringify(response.settings);
    awaitingSession = false;
    session = { token: response.token, chatId: response.chat_id, lastSeq };
    loadedThreadId = response.thread_id;
    settings = response.settings;
    needTranscript = false;
    reloadFromStorage = false;
    closedChatId = undefined;
    const waiters = startsNewChat ? newChatWaiters.splice(0) : [];
    if (startsNewChat) newChatRequested = false;
    deps.persist();
    // A server that keeps sending gaps must not get a reconnect every half second.
    if (gapStreak === 0) transport.resetBackoff();

    if (rebuild) {
      emit('conversation', {
        chatId: response.chat_id,
        threadId: response.thread_id,
        settings: response.settings,
        history,
        isNewConversation,
      });
    } else if (settingsChanged) {
      emit('settings', response.settings);
    }
    deps.setState('ready');
    if (!ready()) return; // a handler destroyed or dropped us
    transport.startHeartbeat();
    for (const waiter of waiters) waiter.resolve();
    for (const push of earlyPushes.splice(0)) {
      if (!ready() || awaitingSession) return;
      handlePush(push);
    }
    if (!ready()) return;
    // startNewChat() was called while this login was in flight.
    if (newChatRequested && !startChatInFlight) sendStartChat();
    deps.flushQueues();
  };

  const handlePush = (push: Push): void => {
    const current = ready() && push.payload.chat_id === session.chatId;
    if (awaitingSession && !current) {
      // Possibly a new chat's first pushes overtaking the response: keep them for after it.
      if (earlyPushes.length < MAX_EARLY_PUSHES) earlyPushes.push(push);
    } else if (!current) {
      log('debug', `ignored ${push.action} of ${push.payload.chat_id}`);
    } else if (push.action === 'incoming_typing_indicator') {
      const { is_typing: isTyping, author_name: name } = push.payload.typing_indicator;
      typing = isTyping && name ? name : isTyping;
      emit('typing', typing);
    } else if (push.action === 'chat_properties_updated') {
      settings = push.payload.properties;
      emit('settings', settings);
    } else {
      const { seq } = push.payload;
      const expected = session.lastSeq + 1;
      if (seq < expected) return; // a duplicate: already applied
      if (seq > expected) {
        // The server promises no gaps; resuming from our last seq refills this one.
        log('warn', `seq gap: expected ${expected}, got ${seq}; resuming`);
        gapStreak += 1;
        drop('seq gap');
        return;
      }
      gapStreak = 0;
      session.lastSeq = seq;
      if (push.action !== 'thread_closed') deps.persist();
      emit('push', push);
      // Our thread was closed (another tab called reset, or an agent closed it), not by our own
      // start_chat, whose response brings the new thread. Not persisted: that tab may already have
      // stored its session. Log in again with the token from storage, asking for the chat's
      // current thread whole (the server opens one if none is open). The reconnect goes through
      // the normal backoff, which also gives the other tab time to store its session.
      if (push.action !== 'thread_closed' || isDestroyed() || startChatInFlight || newChatRequested) return;
      closedChatId = push.payload.chat_id;
      needTranscript = true;
      reloadFromStorage = true;
      drop('conversation closed');
    }
  };

  return {
    get session() {
      return session;
    },
    get switching() {
      return startChatInFlight;
    },
    login() {
      if (!newChatRequested && (reloadFromStorage || !needTranscript)) followOtherTabs();
      const plan = planLogin({ session, needTranscript, newChatRequested, closedChatId, context: deps.readContext() });
      request(
        'login',
        plan.payload,
        (payload) => onSessionPayload(payload, plan.resume, plan.startsNewChat),
        onLoginFailed,
      );
    },
    requestNewChat: () =>
      new Promise((resolve, reject) => {
        newChatWaiters.push({ resolve, reject });
        if (newChatRequested || startChatInFlight) return;
        newChatRequested = true;
        const current = state();
        if (current === 'ready') {
          sendStartChat();
        }
        // While connecting, the login in flight completes first and start_chat follows it.
      }),
    down() {
      awaitingSession = false;
      earlyPushes = [];
      // Nobody will send "stopped typing" on a dead socket.
      if (!typing) return;
      typing = false;
      emit('typing', false);
    },
    rejectWaiters,
    handlePush,
  };
}
