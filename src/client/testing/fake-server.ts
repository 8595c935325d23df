/**
 * An in-memory server speaking the Roundel websocket protocol (docs/protocol.md) over fake
 * sockets on a {@link FakeClock}: login with history and `seq` replay, send_event echo deduped by
 * custom_id, postbacks, page events, start_chat, update_context, ping. Requests are parsed with
 * the real `parseClientFrame`. Faults (latency, drops, silence, duplicated frames, refused
 * connections, error answers) are switches tests turn.
 */
import {
  parseClientFrame,
  type ChatSettings,
  type ClientRequest,
  type ErrorType,
  type JsonObject,
  type StoredPush,
  type StoredPushAction,
  type StoredPushPayloads,
} from '../../protocol';
import type { FakeClock } from './fake-clock';
import { FakeNetwork } from './fake-network';
import type { FakeConnection } from './fake-socket';

export { FakeSocket, type FakeConnection } from './fake-socket';

/** A chat and its one thread: this fake starts a new chat on every reset (see `login`). */
export interface FakeChat {
  id: string;
  token: string;
  log: StoredPush[];
  /** Pushes with `seq <= trimmed` were dropped by "retention". */
  trimmed: number;
  closed: boolean;
  context: JsonObject | undefined;
  /** Responses already given per custom_id (dedupe). */
  seen: Map<string, JsonObject>;
  pageEvents: { alias: string; body?: JsonObject; custom_id: string }[];
}

/** What a fault hook may do with a request instead of the normal handling. */
export type Fault =
  | { error: ErrorType } // answer with this error, do nothing
  | 'swallow' // handle it, but lose the response
  | 'ignore' // neither handle nor answer
  | undefined;

export interface FakeServerOptions {
  /** Delay of each frame in each direction, in ms (FIFO is kept). Default 1. */
  latency?: () => number;
  /** Say "Welcome!" when a chat starts. Default true. */
  welcome?: boolean;
  /** Reply "echo: …" to each visitor message. Default true. */
  echo?: boolean;
}

export const FAKE_SETTINGS: ChatSettings = { title: 'Acme', theme: { primary: '#0b5cff' } };

export class FakeServer extends FakeNetwork {
  readonly chats = new Map<string, FakeChat>();
  /** Every request handled, in order. */
  readonly handled: { connection: FakeConnection; request: ClientRequest }[] = [];
  welcome: boolean;
  echo: boolean;
  /** Per-request fault injection. */
  fault: (request: ClientRequest, connection: FakeConnection) => Fault = () => undefined;
  private chatCounter = 0;

  constructor(clock: FakeClock, options: FakeServerOptions = {}) {
    super(clock, options.latency);
    this.welcome = options.welcome ?? true;
    this.echo = options.echo ?? true;
  }

  chat(chatId: string | undefined): FakeChat {
    const chat = chatId === undefined ? undefined : this.chats.get(chatId);
    if (!chat) throw new Error(`no chat ${chatId}`);
    return chat;
  }

  /** The `login` payloads received, in order. */
  logins(): JsonObject[] {
    return this.handled.filter((h) => h.request.action === 'login').map((h) => h.request.payload as unknown as JsonObject);
  }

  /** How many `action` requests carried `custom_id` (messages nest it in `event`). */
  countCustomId(action: ClientRequest['action'], customId: string): number {
    return this.handled.filter(({ request }) => {
      if (request.action !== action) return false;
      if (request.action === 'send_event') return request.payload.event.custom_id === customId;
      return 'custom_id' in request.payload && request.payload.custom_id === customId;
    }).length;
  }

  // ---- the bot and the operator -------------------------------------------------------------

  botSay(chatId: string, text: string, quickReplies?: string[]): StoredPush {
    const chat = this.chat(chatId);
    return this.append(chat, 'incoming_event', {
      event: {
        id: `m-${chatId}-${chat.log.length + 1}`,
        type: 'message',
        author: 'bot',
        text,
        quick_replies: quickReplies,
        created_at: new Date(this.clock.now()).toISOString(),
      },
    });
  }

  notify(chatId: string, message: string): StoredPush {
    return this.append(this.chat(chatId), 'host_notification', { message });
  }

  /** Closes the chat's thread as another tab's reset would: stores and publishes `thread_closed`. */
  closeChat(chatId: string): void {
    const chat = this.chat(chatId);
    if (chat.closed) return;
    this.append(chat, 'thread_closed', {});
    chat.closed = true;
  }

  /** The bot's typing indicator, or an agent's (`agent` `{ id, name }`). */
  typing(chatId: string, isTyping: boolean, agent?: { id: string; name: string }): void {
    const author = agent ? { author_id: agent.id, author_name: agent.name } : { author_id: 'bot' };
    this.broadcast(chatId, {
      action: 'incoming_typing_indicator',
      type: 'push',
      payload: { chat_id: chatId, typing_indicator: { ...author, is_typing: isTyping } },
    });
  }

  /** Drops pushes with `seq <= upTo` from the chat's log, as retention would. */
  trim(chatId: string, upTo: number): void {
    this.chat(chatId).trimmed = upTo;
  }

  private broadcast(chatId: string, frame: unknown): void {
    for (const connection of this.connections) {
      if (connection.chatId === chatId) this.sendFrame(connection, frame);
    }
  }

  private append<A extends StoredPushAction>(
    chat: FakeChat,
    action: A,
    fields: Omit<StoredPushPayloads[A], 'chat_id' | 'seq'>,
  ): StoredPush {
    const push = {
      action,
      type: 'push',
      payload: { chat_id: chat.id, seq: chat.log.length + 1, ...fields },
    } as StoredPush;
    chat.log.push(push);
    this.broadcast(chat.id, push);
    return push;
  }

  private createChat(context: JsonObject | undefined): FakeChat {
    this.chatCounter += 1;
    const id = `chat-${this.chatCounter}`;
    const chat: FakeChat = {
      id,
      token: `${id}.sig`,
      log: [],
      trimmed: 0,
      closed: false,
      context,
      seen: new Map(),
      pageEvents: [],
    };
    this.chats.set(id, chat);
    return chat;
  }

  private respond(connection: FakeConnection, request: ClientRequest, payload: JsonObject): void {
    this.sendFrame(connection, {
      request_id: request.request_id,
      action: request.action,
      type: 'response',
      success: true,
      payload,
    });
  }

  private respondError(connection: FakeConnection, requestId: string, action: string, type: ErrorType, message: string): void {
    this.sendFrame(connection, { request_id: requestId, action, type: 'response', success: false, error: { type, message } });
  }

  protected handle(connection: FakeConnection, data: string): void {
    const parsed = parseClientFrame(data);
    if (!parsed.ok) {
      if (parsed.request_id) {
        this.respondError(connection, parsed.request_id, parsed.action ?? 'unknown', 'validation', parsed.error);
      }
      return;
    }
    const request = parsed.value;
    const fault = this.fault(request, connection);
    if (fault === 'ignore') return;
    if (fault !== undefined && fault !== 'swallow') {
      this.respondError(connection, request.request_id, request.action, fault.error, 'injected fault');
      return;
    }
    this.handled.push({ connection, request });
    // A swallowed request is handled against a throwaway connection copy that is cut.
    const answerTo = fault === 'swallow' ? { ...connection, cut: true } : connection;
    if (request.action !== 'login' && connection.chatId === undefined) {
      this.respondError(answerTo, request.request_id, request.action, 'authentication', 'log in first');
      return;
    }
    this.dispatch(connection, answerTo, request);
  }

  private dispatch(connection: FakeConnection, answerTo: FakeConnection, request: ClientRequest): void {
    switch (request.action) {
      case 'login':
        return this.login(connection, answerTo, request);
      case 'start_chat': {
        const old = this.chat(connection.chatId);
        this.closeChat(old.id);
        const chat = this.createChat(request.payload.context);
        connection.chatId = chat.id;
        this.respond(answerTo, request, this.sessionPayload(chat, false, true, []));
        if (this.welcome) this.botSay(chat.id, 'Welcome!');
        return;
      }
      case 'send_event': {
        const chat = this.chat(connection.chatId);
        const { text, custom_id } = request.payload.event;
        const answer = this.dedupe(chat, custom_id, () => {
          const push = this.append(chat, 'incoming_event', {
            event: {
              id: `m-${chat.id}-${chat.log.length + 1}`,
              type: 'message',
              author: 'visitor',
              text,
              custom_id,
              created_at: new Date(this.clock.now()).toISOString(),
            },
          });
          return { event_id: `m-${chat.id}-${push.payload.seq}`, seq: push.payload.seq };
        });
        this.respond(answerTo, request, answer.payload);
        if (answer.fresh && this.echo) this.botSay(chat.id, `echo: ${text}`);
        return;
      }
      case 'send_rich_message_postback': {
        const chat = this.chat(connection.chatId);
        const { event_id, postback, custom_id } = request.payload;
        const answer = this.dedupe(chat, custom_id, () => {
          const push = this.append(chat, 'incoming_rich_message_postback', {
            event_id,
            postback,
            custom_id,
            created_at: new Date(this.clock.now()).toISOString(),
          });
          return { event_id: `p-${chat.id}-${push.payload.seq}`, seq: push.payload.seq };
        });
        this.respond(answerTo, request, answer.payload);
        return;
      }
      case 'page_event': {
        const chat = this.chat(connection.chatId);
        const { alias, body, custom_id } = request.payload;
        const answer = this.dedupe(chat, custom_id, () => {
          chat.pageEvents.push({ alias, body, custom_id });
          return { accepted: true };
        });
        this.respond(answerTo, request, answer.payload);
        return;
      }
      case 'update_context':
        this.chat(connection.chatId).context = request.payload.context;
        this.respond(answerTo, request, {});
        return;
      case 'ping':
        this.respond(answerTo, request, {});
        return;
    }
  }

  private dedupe(chat: FakeChat, customId: string, create: () => JsonObject): { payload: JsonObject; fresh: boolean } {
    const seen = chat.seen.get(customId);
    if (seen) return { payload: seen, fresh: false };
    const payload = create();
    chat.seen.set(customId, payload);
    return { payload, fresh: true };
  }

  private login(connection: FakeConnection, answerTo: FakeConnection, request: Extract<ClientRequest, { action: 'login' }>): void {
    const { token, last_seq: lastSeq = 0, history: wantHistory, context } = request.payload;
    let chat = token === undefined ? undefined : [...this.chats.values()].find((d) => d.token === token);
    let resumed = true;
    // A new thread: this fake models each thread as its own chat, so the old one simply closes.
    if (chat && !chat.closed && request.payload.new_thread === true) this.closeChat(chat.id);
    if (!chat || chat.closed) {
      chat = this.createChat(context);
      resumed = false;
    }
    const retained = chat.log.filter((push) => push.payload.seq > chat.trimmed);
    // Servable when every push after last_seq is still retained and last_seq is not from the future.
    const recovered = lastSeq <= chat.log.length && lastSeq >= chat.trimmed;
    const history = recovered ? (wantHistory ? retained.filter((p) => p.payload.seq <= lastSeq) : []) : retained;
    connection.chatId = chat.id;
    this.respond(answerTo, request, this.sessionPayload(chat, resumed, recovered, history));
    // "Pushes after the client's last_seq follow at once", before any live push.
    if (recovered) for (const push of retained.filter((p) => p.payload.seq > lastSeq)) this.sendFrame(answerTo, push);
    if (!resumed && this.welcome) this.botSay(chat.id, 'Welcome!');
  }

  private sessionPayload(chat: FakeChat, resumed: boolean, recovered: boolean, history: StoredPush[]): JsonObject {
    return {
      chat_id: chat.id,
      customer_id: chat.id,
      // This fake starts a new chat on every reset, so each chat has one thread.
      thread_id: `thread-${chat.id}`,
      thread_seq: 0,
      token: chat.token,
      resumed,
      recovered,
      last_seq: chat.log.length,
      history,
      settings: FAKE_SETTINGS,
    };
  }
}
