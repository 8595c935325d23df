/**
 * The agent-side feed: turns what happens in chats (stored pushes, visits, drafts, pages) into
 * the seed's agent pushes, in order, and hands each to the endpoint's logged-in agents and to its
 * webhooks. One promise chain keeps the order of a chat's pushes whatever the lookups cost.
 */
import type { AgentPush, StoredPush, VisitorPage } from '../../protocol';
import type { Logger } from '../logger';
import { errorFields } from '../logger';
import { pushPosition, threadPosition, type AgentsStore } from '../store/agents-types';
import type { Store } from '../store/types';
import type { PushOrigin } from '../webhooks/outbox';
import type { AgentDirectory } from './directory';
import type { ChatInfo, ChatPort } from './port';
import type { AgentPresence } from './presence';
import { chatOf, eventOf, routingOf, usersOf, type FileUrl } from './views';
import { Throttle, VisitTracker } from './visits';

/** Sneak peeks per chat per second, at most (LiveChat sends about as many). */
const SNEAK_PEEKS_PER_SECOND = 2;

export interface FeedDeps {
  port: ChatPort;
  store: AgentsStore;
  directory: AgentDirectory;
  presence: AgentPresence;
  /** Signs the link of a visitor's file in its `incoming_event` (views.ts), for agents and webhooks alike. */
  fileUrl: FileUrl;
  /**
   * Enqueues the webhook deliveries of a push (durably); may be absent in tests. `origin` is the
   * committed position it translates, when it translates one.
   */
  webhooks?(endpoint: string, push: AgentPush, origin?: PushOrigin): Promise<void>;
  /** Everything `origin` makes was enqueued: its chat's webhook cursor may move past it. */
  handled?(endpoint: string, origin: PushOrigin): void;
  /** The chats' history, read again to recover what a killed process did not enqueue ({@link AgentFeed.recover}). */
  history?: Pick<Store, 'listThreads' | 'readLog'>;
  /** Whether any endpoint has webhooks: without them and with no agent online, pushes need no translating. */
  hasWebhooks?(): boolean;
  /** Hands a push to the endpoint's agents on every node. Default: this node's ({@link AgentPresence.broadcast}). */
  broadcast?(endpoint: string, push: AgentPush): void;
  logger: Logger;
}

export class AgentFeed {
  readonly visits = new VisitTracker();
  private chain: Promise<void> = Promise.resolve();
  private readonly peeks: Throttle<string>;
  private readonly drafts = new Map<string, string>();
  /** Who closed a thread (`deactivate_chat`), for the `thread_closed` push that follows. */
  readonly closedBy = new Map<string, string>();

  constructor(private readonly deps: FeedDeps) {
    this.peeks = new Throttle(1000 / SNEAK_PEEKS_PER_SECOND, (chatId, text) => this.run(() => this.sendPeek(chatId, text)));
  }

  /** Runs `task` after everything already queued, so pushes leave in the order things happened. */
  run(task: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(task).catch((error: unknown) => this.deps.logger.error('agent feed failed', errorFields(error)));
    this.chain = next;
    return next;
  }

  /**
   * Sends `push` to the endpoint's webhooks and, when `live`, its agents. The webhook enqueue
   * follows the commit of what `origin` names; should the process die in between, the start-up
   * sweep translates that origin again ({@link recover}, docs/agent-api.md#webhooks).
   */
  async emit(endpoint: string, push: AgentPush, origin?: PushOrigin, live = true): Promise<void> {
    await this.deps.webhooks?.(endpoint, push, origin);
    if (!live) return;
    if (this.deps.broadcast) this.deps.broadcast(endpoint, push);
    else this.deps.presence.broadcast(endpoint, push);
  }

  /**
   * Whether anyone would receive an agent push. When nobody would (no agent online, no webhook
   * configured), the feed skips the lookups, so a server without agents pays nothing for them.
   */
  private get listened(): boolean {
    // With a bus, agents on other nodes may listen: only webhooks-free single nodes skip.
    return this.deps.presence.size > 0 || this.deps.broadcast !== undefined || this.deps.hasWebhooks?.() === true;
  }

  /** A push was stored in a chat's log (by anyone: visitor, bot, agent, the chat itself). */
  stored(chatId: string, push: StoredPush): void {
    // A closing thread also gives the chat back to the bot, listened to or not.
    if (!this.listened && push.action !== 'thread_closed') return;
    void this.run(async () => {
      const chat = await this.deps.port.chat(chatId);
      if (!chat) return;
      const threadId = (push.payload as { thread_id?: unknown }).thread_id;
      const origin = { chatId, position: pushPosition(push.payload.seq) };
      await this.translate(chat, typeof threadId === 'string' ? threadId : chat.threadId, push, origin, true);
      this.deps.handled?.(chat.endpoint, origin);
    });
  }

  /**
   * Translates again, for the webhooks only, what `chatId` committed past `after` (a position):
   * the start-up sweep's part for one chat. Deliveries enqueued before keep their ids, so the
   * outbox ignores them. Run it through {@link run}, so a live push of the chat waits for it.
   */
  async recover(chatId: string, after: number): Promise<void> {
    const chat = await this.deps.port.chat(chatId);
    const history = this.deps.history;
    if (!chat || !history) return;
    const threads = await history.listThreads(chatId);
    const pushes = await history.readLog(chatId, { after: Math.floor(after / 2) });
    const steps = [
      ...threads.filter((t) => threadPosition(t.startSeq) > after).map((thread) => ({ position: threadPosition(thread.startSeq), thread, push: undefined })),
      ...pushes.map((push) => ({ position: pushPosition(push.payload.seq), thread: undefined, push })),
    ].sort((a, b) => a.position - b.position);
    for (const step of steps) {
      const origin = { chatId, position: step.position };
      if (step.thread) {
        const { id, createdAt, closedAt } = step.thread;
        await this.sendThread({ ...chat, threadId: id, threadCreatedAt: createdAt, active: closedAt === null }, origin, false);
      } else if (step.push) {
        const seq = step.push.payload.seq;
        // Threads are oldest first: the push's is the last one begun before it.
        const thread = threads.filter((t) => t.startSeq < seq).at(-1) ?? threads[0];
        await this.translate(chat, thread?.id ?? chat.threadId, step.push, origin, false);
      }
      this.deps.handled?.(chat.endpoint, origin);
    }
  }

  /** A thread started (a new chat, or `reset()` in the widget). */
  threadStarted(chatId: string): void {
    if (!this.listened) return;
    void this.run(async () => {
      const chat = await this.deps.port.chat(chatId);
      if (!chat) return;
      const origin = { chatId, position: threadPosition(chat.threadStartSeq) };
      await this.sendThread(chat, origin, true);
      this.deps.handled?.(chat.endpoint, origin);
    });
  }

  private async sendThread(chat: ChatInfo, origin: PushOrigin, live: boolean): Promise<void> {
    const users = usersOf(chat, this.visits.get(chat.id), [], (id) => this.deps.presence.isOnline(chat.endpoint, id));
    await this.emit(chat.endpoint, { action: 'incoming_chat_thread', type: 'push', payload: { chat: chatOf(chat, users, { status: 'bot' }, [], this.deps.fileUrl) } }, origin, live);
  }

  /** A visitor tab of `chatId` logged in. */
  visitorConnected(chatId: string, endpoint: string, userAgent: string | undefined): void {
    const visit = this.visits.connected(chatId);
    if (!visit) return;
    void this.run(() =>
      this.emit(endpoint, {
        action: 'customer_visit_started',
        type: 'push',
        payload: { customer_id: chatId, visit_id: visit.visitId, started_at: visit.startedAt, ...(userAgent ? { user_agent: userAgent } : {}) },
      }),
    );
  }

  /** A visitor tab of `chatId` went. */
  visitorDisconnected(chatId: string, endpoint: string): void {
    const visit = this.visits.disconnected(chatId);
    if (!visit) return;
    this.peeks.cancel(chatId);
    // A draft left behind is no longer being typed.
    if (this.drafts.delete(chatId)) void this.run(() => this.sendTyping(chatId, endpoint, false));
    void this.run(() =>
      this.emit(endpoint, {
        action: 'customer_visit_ended',
        type: 'push',
        payload: { customer_id: chatId, visit_id: visit.visitId, ended_at: visit.endedAt ?? new Date().toISOString() },
      }),
    );
  }

  /** The visitor's page (a load, or pushState/replaceState/popstate in a single-page app). */
  page(chatId: string, endpoint: string, page: Omit<VisitorPage, 'opened_at'>): void {
    const opened = this.visits.page(chatId, page);
    if (!opened) return;
    void this.run(() =>
      this.emit(endpoint, {
        action: 'customer_page_updated',
        type: 'push',
        payload: { customer_id: chatId, visit_id: opened.visit.visitId, ...opened.page },
      }),
    );
  }

  /** The visitor's draft: a sneak peek (throttled) and the typing indicator it implies. */
  draft(chatId: string, endpoint: string, text: string): void {
    const typing = text.trim() !== '';
    const wasTyping = (this.drafts.get(chatId) ?? '') !== '';
    if (typing) this.drafts.set(chatId, text);
    else this.drafts.delete(chatId);
    if (typing !== wasTyping) void this.run(() => this.sendTyping(chatId, endpoint, typing));
    if (typing) this.peeks.offer(chatId, text);
    else this.peeks.cancel(chatId);
  }

  /** An external event sent to every chat of `endpoint` (`incoming_multicast`, once per endpoint). */
  multicast(endpoint: string, type: string, content: Record<string, unknown>): void {
    void this.run(() => this.emit(endpoint, { action: 'incoming_multicast', type: 'push', payload: { type, content } }));
  }

  /** The visitor's current draft (the sneak peek of a chat summary). */
  currentDraft(chatId: string): string | undefined {
    return this.drafts.get(chatId);
  }

  close(): void {
    this.peeks.clear();
  }

  private async sendTyping(chatId: string, endpoint: string, isTyping: boolean): Promise<void> {
    const chat = await this.deps.port.chat(chatId);
    if (!chat || chat.endpoint !== endpoint) return;
    await this.emit(endpoint, {
      action: 'incoming_typing_indicator',
      type: 'push',
      payload: { chat_id: chatId, thread_id: chat.threadId, typing_indicator: { author_id: chatId, is_typing: isTyping } },
    });
  }

  private async sendPeek(chatId: string, text: string): Promise<void> {
    // A draft sent (or cleared) while this one waited is no sneak peek any more.
    if (this.drafts.get(chatId) !== text) return;
    const chat = await this.deps.port.chat(chatId);
    if (!chat) return;
    await this.emit(chat.endpoint, {
      action: 'incoming_sneak_peek',
      type: 'push',
      payload: { chat_id: chatId, thread_id: chat.threadId, sneak_peek: { author_id: chatId, text } },
    });
  }

  /** `live`: also to the agents, with the drafts and sneak peeks it ends (false when recovering). */
  private async translate(chat: ChatInfo, threadId: string, push: StoredPush, origin: PushOrigin, live: boolean): Promise<void> {
    const { endpoint, id: chatId } = chat;
    const emit = (agentPush: AgentPush) => this.emit(endpoint, agentPush, origin, live);
    switch (push.action) {
      case 'incoming_event':
      case 'incoming_rich_message_postback': {
        const event = eventOf(chatId, push, this.deps.fileUrl);
        if (!event) return;
        if (live && event.author_id === chatId) {
          this.peeks.cancel(chatId);
          if (this.drafts.delete(chatId)) await this.sendTyping(chatId, endpoint, false);
        }
        return emit({ action: 'incoming_event', type: 'push', payload: { chat_id: chatId, thread_id: threadId, event } });
      }
      case 'chat_user_added': {
        const { user } = push.payload;
        const present = this.deps.presence.isOnline(endpoint, user.id);
        return emit({
          action: 'chat_user_added',
          type: 'push',
          payload: { chat_id: chatId, thread_id: threadId, user: { id: user.id, type: 'agent', name: user.name, present }, user_type: 'agent' },
        });
      }
      case 'chat_user_removed':
        return emit({
          action: 'chat_user_removed',
          type: 'push',
          payload: { chat_id: chatId, thread_id: threadId, user_id: push.payload.user_id, user_type: 'agent' },
        });
      case 'chat_thread_properties_updated': {
        const routing = routingOf(await this.deps.store.getChatState(chatId));
        return emit({ action: 'chat_properties_updated', type: 'push', payload: { chat_id: chatId, properties: { routing } } });
      }
      case 'thread_closed': {
        const userId = this.closedBy.get(chatId);
        this.closedBy.delete(chatId);
        await emit({
          action: 'thread_closed',
          type: 'push',
          payload: { chat_id: chatId, thread_id: threadId, ...(userId === undefined ? {} : { user_id: userId }) },
        });
        // The bot is back once the thread is over.
        const state = await this.deps.store.getChatState(chatId);
        if (state && state.routing !== 'bot') {
          await this.deps.store.putChatState({ ...state, routing: 'bot', reason: null, agents: [] });
          await emit({ action: 'chat_properties_updated', type: 'push', payload: { chat_id: chatId, properties: { routing: { status: 'bot' } } } });
        }
        return;
      }
      case 'host_notification':
      case 'incoming_multicast':
        // For the host page and the bot; a multicast reaches agents once per endpoint (multicast()).
        return;
    }
  }
}
