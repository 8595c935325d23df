/**
 * What agents (and the bot's `ctx.handoff()`) do to chats: join, leave, transfer, say, type,
 * close, mark seen; and who answers a chat (`botAnswers`). Every change that the visitor sees is
 * stored in the chat's log through the {@link ChatPort}; the {@link AgentFeed} turns those pushes
 * into agent pushes. Changes to one chat's routing run one at a time.
 */
import { randomUUID } from 'node:crypto';
import type { AgentChat, AgentChatSummary, AgentIdentity, StoredPush } from '../../protocol';
import type { AgentChatState, AgentsStore } from '../store/agents-types';
import type { AgentDirectory, AgentLogin } from './directory';
import type { AgentFeed } from './feed';
import type { ChatInfo, ChatPort } from './port';
import type { AgentPresence } from './presence';
import { FrameError } from '../ws/frame-error';
import { chatOf, routingOf, summaryOf, usersOf, type FileUrl } from './views';

/** A request refused: sent back as an error response of that type (a FrameError, as for visitors). */
export class AgentError extends FrameError {}

/** Events read for `get_chat` (the newest of the thread). */
const CHAT_EVENTS = 500;
/** Pushes read to find a summary's last message. */
const SUMMARY_EVENTS = 20;

export interface AgentServiceDeps {
  port: ChatPort;
  store: AgentsStore;
  directory: AgentDirectory;
  presence: AgentPresence;
  feed: AgentFeed;
  /** Signs the links of the visitor's files in the chats agents read (views.ts). */
  fileUrl: FileUrl;
  /** Called after a chat's routing changed (the queued-chats gauge). */
  routingChanged?(): Promise<void>;
}

export class AgentService {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: AgentServiceDeps) {}

  /** Whether the bot's `onMessage` should answer the visitor: not while agents are in the chat. */
  async botAnswers(chatId: string): Promise<boolean> {
    return (await this.deps.store.getChatState(chatId))?.routing !== 'assigned';
  }

  /** `ctx.handoff(reason)`: queue the chat for agents (nothing changes while agents are in it). */
  async handoff(chatId: string, reason: string | undefined): Promise<void> {
    await this.locked(chatId, async () => {
      const chat = await this.deps.port.chat(chatId);
      if (!chat?.active) return;
      const state = await this.state(chat);
      if (state.routing !== 'bot') return;
      await this.deps.store.putChatState({ ...state, routing: 'queued', reason: reason ?? null });
      await this.deps.port.append(chatId, (seq) => ({
        action: 'chat_thread_properties_updated',
        type: 'push',
        payload: { chat_id: chatId, seq, properties: { routing: { status: 'queued' } } },
      }));
    });
  }

  /** The queue and the live chats the agent sees: routed ones and those with a visitor online. */
  async listChats(login: AgentLogin): Promise<AgentChatSummary[]> {
    const ids = new Set<string>();
    for (const endpoint of login.endpoints) {
      for (const state of await this.deps.store.routedChats(endpoint)) ids.add(state.chatId);
    }
    for (const chatId of this.deps.feed.visits.presentChats()) ids.add(chatId);
    const summaries: AgentChatSummary[] = [];
    for (const chatId of ids) {
      const chat = await this.deps.port.chat(chatId);
      if (!chat?.active || !login.endpoints.has(chat.endpoint)) continue;
      const state = await this.deps.store.getChatState(chatId);
      const history = await this.deps.port.history(chatId, SUMMARY_EVENTS);
      summaries.push(summaryOf(chat, this.users(chat, state), routingOf(state), history, this.deps.feed.currentDraft(chatId), this.deps.fileUrl));
    }
    const rank = { queued: 0, assigned: 1, bot: 2 } as const;
    return summaries.sort((a, b) => rank[a.properties.routing.status] - rank[b.properties.routing.status]);
  }

  async getChat(login: AgentLogin, chatId: string): Promise<AgentChat> {
    const chat = await this.access(login, chatId);
    const state = await this.deps.store.getChatState(chatId);
    return chatOf(chat, this.users(chat, state), routingOf(state), await this.deps.port.history(chatId, CHAT_EVENTS), this.deps.fileUrl);
  }

  /** `add_user_to_chat`: the agent joins; from then on the visitor's messages go to agents. */
  async join(login: AgentLogin, chatId: string): Promise<void> {
    const chat = await this.access(login, chatId, true);
    await this.locked(chatId, () => this.add(chat, [login.agent]));
  }

  /** `remove_user_from_chat`: the agent leaves; with none left the bot answers again. */
  async leave(login: AgentLogin, chatId: string): Promise<void> {
    const chat = await this.access(login, chatId);
    await this.locked(chatId, async () => {
      const state = await this.state(chat);
      if (!state.agents.includes(login.agent.id)) throw new AgentError('validation', 'the agent is not in this chat');
      await this.remove(chat, state, login.agent);
    });
  }

  /** `transfer_chat`: the target agents join and the requester leaves. */
  async transfer(login: AgentLogin, chatId: string, ids: readonly string[]): Promise<void> {
    const chat = await this.access(login, chatId, true);
    const targets = ids.map((id) => this.deps.directory.find(chat.endpoint, id));
    const missing = ids.find((_, i) => targets[i] === undefined);
    if (missing !== undefined) throw new AgentError('not_found', `no agent '${missing}' for this chat`);
    await this.locked(chatId, async () => {
      await this.add(chat, targets as AgentIdentity[]);
      await this.deps.feed.run(() =>
        this.deps.feed.emit(chat.endpoint, {
          action: 'chat_transferred',
          type: 'push',
          payload: { chat_id: chatId, requester_id: login.agent.id, type: 'agent', ids: [...ids] },
        }),
      );
      const state = await this.state(chat);
      if (state.agents.includes(login.agent.id) && !ids.includes(login.agent.id)) await this.remove(chat, state, login.agent);
    });
  }

  /** `send_event`: an agent's message, stored like the bot's. */
  async say(login: AgentLogin, chatId: string, text: string): Promise<string> {
    const chat = await this.access(login, chatId, true);
    const id = randomUUID();
    const { agent } = login;
    await this.deps.port.append(chat.id, (seq, createdAt): StoredPush => ({
      action: 'incoming_event',
      type: 'push',
      payload: {
        chat_id: chat.id,
        seq,
        event: { id, type: 'message', author: 'agent', author_id: agent.id, author_name: agent.name, text, created_at: createdAt },
      },
    }));
    return id;
  }

  /** `send_typing_indicator`: shown to the visitor ("Alice is typing…"). */
  async typing(login: AgentLogin, chatId: string, isTyping: boolean): Promise<void> {
    const chat = await this.access(login, chatId, true);
    this.deps.port.ephemeral(chat.id, {
      action: 'incoming_typing_indicator',
      type: 'push',
      payload: { chat_id: chat.id, typing_indicator: { author_id: login.agent.id, author_name: login.agent.name, is_typing: isTyping } },
    });
  }

  /** `deactivate_chat`: closes the current thread; the bot answers the next one. */
  async deactivate(login: AgentLogin, chatId: string): Promise<void> {
    const chat = await this.access(login, chatId, true);
    this.deps.feed.closedBy.set(chatId, login.agent.id);
    if (!(await this.deps.port.closeThread(chat.id))) {
      this.deps.feed.closedBy.delete(chatId);
      throw new AgentError('validation', 'the chat is not active');
    }
  }

  /** `mark_events_as_seen`: tells the other agents how far this one read. */
  async markSeen(login: AgentLogin, chatId: string, seenUpTo: string): Promise<void> {
    const chat = await this.access(login, chatId);
    await this.deps.feed.run(() =>
      this.deps.feed.emit(chat.endpoint, {
        action: 'last_seen_timestamp_updated',
        type: 'push',
        payload: { user_id: login.agent.id, chat_id: chatId, timestamp: Math.floor(Date.parse(seenUpTo) / 1000) },
      }),
    );
  }

  /** The chat, when the agent may see it; another endpoint's chat is `not_found`, like a missing one. */
  private async access(login: AgentLogin, chatId: string, active = false): Promise<ChatInfo> {
    const chat = await this.deps.port.chat(chatId);
    if (!chat || !login.endpoints.has(chat.endpoint)) throw new AgentError('not_found', 'no such chat');
    if (active && !chat.active) throw new AgentError('validation', 'the chat is not active');
    return chat;
  }

  private async state(chat: ChatInfo): Promise<AgentChatState> {
    return (await this.deps.store.getChatState(chat.id)) ?? { chatId: chat.id, endpoint: chat.endpoint, routing: 'bot', reason: null, agents: [] };
  }

  private users(chat: ChatInfo, state: AgentChatState | undefined) {
    const agents = (state?.agents ?? []).map((id) => this.deps.directory.find(chat.endpoint, id) ?? { id, name: id });
    return usersOf(chat, this.deps.feed.visits.get(chat.id), agents, (id) => this.deps.presence.isOnline(chat.endpoint, id));
  }

  private async add(chat: ChatInfo, agents: readonly AgentIdentity[]): Promise<void> {
    for (const agent of agents) {
      const state = await this.state(chat);
      if (state.agents.includes(agent.id)) continue;
      await this.deps.store.putChatState({ ...state, routing: 'assigned', agents: [...state.agents, agent.id] });
      await this.deps.port.append(chat.id, (seq) => ({
        action: 'chat_user_added',
        type: 'push',
        payload: { chat_id: chat.id, seq, user: { id: agent.id, name: agent.name, type: 'agent' }, user_type: 'agent' },
      }));
      if (state.routing !== 'assigned') await this.routingChanged(chat, { status: 'assigned' });
    }
  }

  private async remove(chat: ChatInfo, state: AgentChatState, agent: AgentIdentity): Promise<void> {
    const agents = state.agents.filter((id) => id !== agent.id);
    const routing = agents.length > 0 ? 'assigned' : 'bot';
    await this.deps.store.putChatState({ ...state, agents, routing, reason: routing === 'bot' ? null : state.reason });
    await this.deps.port.append(chat.id, (seq) => ({
      action: 'chat_user_removed',
      type: 'push',
      payload: { chat_id: chat.id, seq, user_id: agent.id, user_name: agent.name, user_type: 'agent' },
    }));
    if (routing === 'bot') await this.routingChanged(chat, { status: 'bot' });
  }

  private routingChanged(chat: ChatInfo, routing: { status: 'bot' | 'assigned' }): Promise<void> {
    return this.deps.feed.run(() =>
      this.deps.feed.emit(chat.endpoint, { action: 'chat_properties_updated', type: 'push', payload: { chat_id: chat.id, properties: { routing } } }),
    );
  }

  /** Recounts what the routing gauges show. */
  async recount(): Promise<void> {
    await this.deps.routingChanged?.();
  }

  /** Runs `task` after the chat's earlier routing changes. */
  private async locked<T>(chatId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(chatId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.locks.set(chatId, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(chatId) === next) this.locks.delete(chatId);
      void this.recount();
    }
  }
}
