/**
 * The console's wiring: one {@link AgentConnection}, one store, and the intents the UI raises
 * (log in, open a chat, join, leave, transfer, end, send, type). No DOM here.
 */
import type { WebSocketFactory } from '../client';
import { parseAgentChat, parseChatList, type ErrorBody } from '../protocol';
import { createStore, type Store } from '../ui';
import { AgentConnection } from './connection';
import { applyAgentPush, initialState, mentionsUnknownChat, rowOfSummary, transcriptOf, type ConsoleState } from './model';

export interface ConsoleIntents {
  logIn(key: string): void;
  logOut(): void;
  open(chatId: string): void;
  join(): void;
  leave(): void;
  transfer(agentId: string): void;
  end(): void;
  send(text: string): void;
  typing(isTyping: boolean): void;
}

export interface ConsoleController {
  store: Store<ConsoleState>;
  intents: ConsoleIntents;
}

export function createConsole(url: string, WebSocket: WebSocketFactory): ConsoleController {
  const store = createStore<ConsoleState>(initialState);
  let connection: AgentConnection | undefined;
  let refreshing = false;

  const fail = (error: ErrorBody) => store.set({ error: error.message });

  const refresh = () => {
    if (!connection || refreshing) return;
    refreshing = true;
    connection
      .request('list_chats', {})
      .then((payload) => {
        const list = parseChatList(payload);
        if (list.ok) store.set({ chats: list.value.chats_summary.map(rowOfSummary) });
      }, fail)
      .finally(() => (refreshing = false));
  };

  const load = (chatId: string) => {
    connection?.request('get_chat', { chat_id: chatId }).then((payload) => {
      const chat = parseAgentChat(payload);
      if (chat.ok && store.get().openChatId === chatId) store.set({ transcript: transcriptOf(chat.value) });
    }, fail);
  };

  /** Runs a request about the open chat; its failure is shown. */
  const act = (run: (chatId: string, c: AgentConnection) => Promise<unknown>) => {
    const chatId = store.get().openChatId;
    if (!connection || chatId === undefined) return;
    store.set({ error: undefined });
    run(chatId, connection).catch(fail);
  };

  const intents: ConsoleIntents = {
    logIn(key) {
      connection?.destroy();
      const current = (connection = new AgentConnection({ url, key, WebSocket }));
      store.set({ ...initialState, connection: 'connecting' });
      current.events.on('state', (state) => connection === current && store.set({ connection: state }));
      current.events.on('error', (error) => connection === current && fail(error));
      current.events.on('login', ({ agent, chats }) => {
        if (connection !== current) return;
        store.set({ agent, chats: chats.map(rowOfSummary), error: undefined });
        // A reconnect may have missed pushes: the open chat is read again.
        const open = store.get().openChatId;
        if (open !== undefined) load(open);
      });
      current.events.on('push', (push) => {
        if (connection !== current) return;
        if (mentionsUnknownChat(store.get(), push)) refresh();
        store.set((state) => applyAgentPush(state, push));
      });
      current.connect();
    },
    logOut() {
      connection?.destroy();
      connection = undefined;
      store.set({ ...initialState });
    },
    open(chatId) {
      store.set({ openChatId: chatId, transcript: [], error: undefined });
      load(chatId);
    },
    join: () => act((chatId, c) => c.request('add_user_to_chat', { chat_id: chatId })),
    leave: () => act((chatId, c) => c.request('remove_user_from_chat', { chat_id: chatId })),
    transfer: (agentId) => act((chatId, c) => c.request('transfer_chat', { chat_id: chatId, target: { type: 'agent', ids: [agentId] } })),
    end: () => act((chatId, c) => c.request('deactivate_chat', { chat_id: chatId })),
    send: (text) => act((chatId, c) => c.request('send_event', { chat_id: chatId, event: { type: 'message', text } })),
    typing: (isTyping) => act((chatId, c) => c.request('send_typing_indicator', { chat_id: chatId, is_typing: isTyping })),
  };
  return { store, intents };
}
