/**
 * The conversation over the transport: which login to send, what a login or start_chat response
 * means for the transcript, and the exactly-once, in-order application of stored pushes
 * (`seq === lastSeq + 1` applies, lower is a duplicate, higher is a gap that forces a resume).
 */
import {
  CloseCode,
  isStoredPush,
  parseLoginResponse,
  type ChatSettings,
  type ErrorBody,
  type JsonObject,
  type LoginResponse,
  type Push,
  type StoredPush,
} from '../protocol';
import { planLogin } from './login-plan';
import { isRetryable, type PendingRequests, type Waiter } from './pending-requests';
import { resumePoint, type ResumeRequest } from './resume';
import type { Session, SessionStore } from './session-store';
import type { Transport } from './transport';
import type { ChatClientEvents, ConnectionState, Logger } from './types';

/** Pushes held while a login or start_chat response is awaited; bounded so a broken server cannot grow it. */
const MAX_EARLY_PUSHES = 500;

export interface ConversationDeps {
  requests: PendingRequests;
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
}

export class Conversation {
  /** The dialog the token opens and the last `seq` applied in it: what the next login resumes. */
  session: Omit<Session, 'outbox'>;
  /** The dialog listeners last got a `conversation` for. */
  private loadedChatId: string | undefined;
  private settings: ChatSettings | undefined;
  private typing = false;

  /** The page shows no transcript (first login, or its dialog was closed): ask for history. */
  private needTranscript = true;
  /** startNewChat() or resetOnLoad: the next login goes without a token. */
  private newChatRequested: boolean;
  /** Another tab closed our dialog: its new token may be in storage. */
  private reloadFromStorage = false;
  private closedChatId: string | undefined;

  private awaitingSession = false;
  private startChatInFlight = false;
  /** Gaps since a push last applied cleanly: while > 0 a login does not reset the backoff. */
  private gapStreak = 0;
  private earlyPushes: Push[] = [];
  private newChatWaiters: Waiter[] = [];

  constructor(
    private readonly deps: ConversationDeps,
    initial: { session: Omit<Session, 'outbox'>; newChat: boolean },
  ) {
    this.session = initial.newChat ? { lastSeq: 0 } : initial.session;
    this.newChatRequested = initial.newChat;
  }

  /** The dialog of the last `conversation` event. */
  get chatId(): string | undefined {
    return this.loadedChatId;
  }

  /** True while a start_chat is under way: requests sent now would land in the old dialog. */
  get switching(): boolean {
    return this.startChatInFlight;
  }

  /** The socket is open: log in. */
  login(): void {
    if (!this.newChatRequested && (this.reloadFromStorage || !this.needTranscript)) this.followOtherTabs();
    const plan = planLogin({
      session: this.session,
      needTranscript: this.needTranscript,
      newChatRequested: this.newChatRequested,
      closedChatId: this.closedChatId,
      context: this.deps.readContext(),
    });
    const id = this.deps.requests.nextId();
    this.awaitingSession = true;
    this.earlyPushes = [];
    this.deps.requests.track(id, 'login', {
      ok: (payload) => this.onSessionPayload(payload, plan.resume, plan.startsNewChat),
      fail: (error) => this.onLoginFailed(error),
    });
    this.deps.transport.send({ request_id: id, action: 'login', payload: plan.payload });
  }

  /**
   * Before a re-login, adopt the session another tab stored: after our dialog was closed (its
   * replacement may be there), or when the stored dialog is no longer ours (another tab reset
   * while this one was offline and missed `thread_closed`). Every tab writes its session on each
   * push, so a different stored dialog means another tab moved on; following it keeps the tabs
   * of one visitor in one conversation instead of opening a dialog per tab.
   */
  private followOtherTabs(): void {
    if (!this.deps.store.writable) return; // storage may hold our own stale session
    const stored = this.deps.store.load();
    if (stored.token === undefined) return; // nothing stored, or storage is broken: keep ours
    if (!this.reloadFromStorage && stored.chatId === this.session.chatId) return;
    this.session = { token: stored.token, chatId: stored.chatId, lastSeq: stored.lastSeq };
    this.needTranscript = true;
  }

  /** startNewChat(): now when logged in, else with the next login. Resolves when the new dialog is loaded. */
  requestNewChat(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.newChatWaiters.push({ resolve, reject });
      if (this.newChatRequested || this.startChatInFlight) return;
      this.newChatRequested = true;
      const state = this.deps.state();
      if (state === 'ready') {
        this.sendStartChat();
      } else if (state !== 'connecting') {
        // Forget the token now, so a reload before the next login does not resume the old dialog.
        this.session = { lastSeq: 0 };
        this.deps.persist();
      }
      // While connecting, the login in flight completes first and start_chat follows it.
    });
  }

  /** The socket is gone: forget what belonged to it. Call after the state changed. */
  down(): void {
    this.awaitingSession = false;
    this.earlyPushes = [];
    if (this.typing) {
      // Nobody will send "stopped typing" on a dead socket.
      this.typing = false;
      this.deps.emit('typing', false);
    }
  }

  rejectWaiters(error: ErrorBody): void {
    for (const waiter of this.newChatWaiters.splice(0)) waiter.reject(error);
  }

  handlePush(push: Push): void {
    const ready = this.deps.state() === 'ready';
    if (this.awaitingSession && (!ready || push.payload.chat_id !== this.session.chatId)) {
      // Possibly the new dialog's first pushes overtaking the response: keep them for after it.
      if (this.earlyPushes.length < MAX_EARLY_PUSHES) this.earlyPushes.push(push);
      return;
    }
    if (!ready || push.payload.chat_id !== this.session.chatId) {
      this.deps.log('debug', `ignored ${push.action} of chat ${push.payload.chat_id}`);
      return;
    }
    if (isStoredPush(push)) {
      this.applyStored(push);
    } else if (push.action === 'incoming_typing_indicator') {
      this.typing = push.payload.typing_indicator.is_typing;
      this.deps.emit('typing', this.typing);
    } else {
      this.settings = push.payload.properties;
      this.deps.emit('settings', push.payload.properties);
    }
  }

  private applyStored(push: StoredPush): void {
    const { seq } = push.payload;
    const expected = this.session.lastSeq + 1;
    if (seq < expected) return; // a duplicate: already applied
    if (seq > expected) {
      // The server promises no gaps; resuming from our last seq refills this one.
      this.deps.log('warn', `seq gap: expected ${expected}, got ${seq}; resuming`);
      this.gapStreak += 1;
      this.deps.transport.drop(CloseCode.Normal, 'seq gap');
      return;
    }
    this.gapStreak = 0;
    this.session.lastSeq = seq;
    if (push.action === 'thread_closed') {
      this.onThreadClosed(push);
      return;
    }
    this.deps.persist();
    this.deps.emit('push', push);
  }

  /**
   * Our dialog was closed (another tab called reset). Not persisted: that tab may already have
   * stored its new dialog. Log in again with the token from storage; the server opens a new
   * dialog if the stored one is the closed one. The reconnect goes through the normal backoff,
   * which also gives the other tab time to store its token.
   */
  private onThreadClosed(push: StoredPush): void {
    this.deps.emit('push', push);
    // Our own start_chat closed it: its response brings the new dialog.
    if (this.deps.isDestroyed() || this.startChatInFlight || this.newChatRequested) return;
    this.closedChatId = push.payload.chat_id;
    this.needTranscript = true;
    this.reloadFromStorage = true;
    this.deps.transport.drop(CloseCode.Normal, 'conversation closed');
  }

  private onLoginFailed(error: ErrorBody): void {
    this.awaitingSession = false;
    // Failed because the socket went: the reconnect is already scheduled.
    if (this.deps.isDestroyed() || this.deps.state() !== 'connecting') return;
    this.deps.log('warn', `login failed: ${error.type} ${error.message}`);
    if (error.type !== 'request_timeout') this.deps.emit('error', error);
    if (error.type === 'authentication') {
      // The token is refused: begin a new dialog rather than retrying it forever.
      this.session = { lastSeq: 0 };
      this.needTranscript = true;
    }
    this.deps.transport.drop(CloseCode.Normal, `login failed (${error.type})`);
  }

  private sendStartChat(): void {
    const id = this.deps.requests.nextId();
    this.startChatInFlight = true;
    this.awaitingSession = true;
    this.earlyPushes = [];
    this.deps.requests.track(id, 'start_chat', {
      ok: (payload) => {
        this.startChatInFlight = false;
        this.onSessionPayload(payload, { lastSeq: 0 }, true);
      },
      fail: (error) => {
        this.startChatInFlight = false;
        this.awaitingSession = false;
        if (this.deps.isDestroyed()) return;
        if (isRetryable(error)) {
          // newChatRequested stays set: the login after this drop starts the new chat.
          if (this.deps.state() === 'ready') this.deps.transport.drop(CloseCode.Normal, 'start_chat unanswered');
          return;
        }
        this.newChatRequested = false;
        this.rejectWaiters(error);
        this.deps.emit('error', error);
        this.deps.flushQueues();
      },
    });
    this.deps.transport.send({ request_id: id, action: 'start_chat', payload: { context: this.deps.readContext() } });
  }

  private onSessionPayload(raw: JsonObject, resume: ResumeRequest, startsNewChat: boolean): void {
    if (this.deps.isDestroyed()) return;
    const parsed = parseLoginResponse(raw);
    if (!parsed.ok) {
      this.awaitingSession = false;
      this.deps.log('error', `malformed login response: ${parsed.error}`);
      this.deps.emit('error', { type: 'validation', message: `malformed login response: ${parsed.error}` });
      this.deps.transport.drop(CloseCode.Normal, 'malformed login response');
      return;
    }
    this.applySession(parsed.value, resume, startsNewChat);
  }

  private applySession(response: LoginResponse, resume: ResumeRequest, startsNewChat: boolean): void {
    const { history, lastSeq } = resumePoint(response, resume);
    const isNewConversation = this.loadedChatId !== response.chat_id;
    // A plain reconnect that recovered changes nothing the page shows.
    const rebuild = this.needTranscript || isNewConversation || !response.recovered || startsNewChat;
    const settingsChanged = JSON.stringify(this.settings) !== JSON.stringify(response.settings);
    this.awaitingSession = false;
    this.session = { token: response.token, chatId: response.chat_id, lastSeq };
    this.loadedChatId = response.chat_id;
    this.settings = response.settings;
    this.needTranscript = false;
    this.reloadFromStorage = false;
    this.closedChatId = undefined;
    const newChatWaiters = startsNewChat ? this.newChatWaiters.splice(0) : [];
    if (startsNewChat) this.newChatRequested = false;
    this.deps.persist();
    // A server that keeps sending gaps must not get a reconnect every half second.
    if (this.gapStreak === 0) this.deps.transport.resetBackoff();

    if (rebuild) {
      this.deps.emit('conversation', {
        chatId: response.chat_id,
        settings: response.settings,
        history,
        isNewConversation,
      });
    } else if (settingsChanged) {
      this.deps.emit('settings', response.settings);
    }
    this.deps.setState('ready');
    if (this.deps.state() !== 'ready') return; // a handler destroyed or dropped us
    this.deps.transport.startHeartbeat();
    for (const waiter of newChatWaiters) waiter.resolve();
    for (const push of this.earlyPushes.splice(0)) {
      if (this.deps.state() !== 'ready' || this.awaitingSession) return;
      this.handlePush(push);
    }
    if (this.deps.state() !== 'ready') return;
    // startNewChat() was called while this login was in flight.
    if (this.newChatRequested && !this.startChatInFlight) this.sendStartChat();
    this.deps.flushQueues();
  }
}
