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

export interface FakeDialog {
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
  /** Say "Welcome!" when a dialog starts. Default true. */
  welcome?: boolean;
  /** Reply "echo: …" to each visitor message. Default true. */
  echo?: boolean;
}

export const FAKE_SETTINGS: ChatSettings = { title: 'Acme', theme: { primary: '#0b5cff' } };

export class FakeServer extends FakeNetwork {
  readonly dialogs = new Map<string, FakeDialog>();
  /** Every request handled, in order. */
  readonly handled: { connection: FakeConnection; request: ClientRequest }[] = [];
  welcome: boolean;
  echo: boolean;
  /** Per-request fault injection. */
  fault: (request: ClientRequest, connection: FakeConnection) => Fault = () => undefined;
  private dialogCounter = 0;

  constructor(clock: FakeClock, options: FakeServerOptions = {}) {
    super(clock, options.latency);
    this.welcome = options.welcome ?? true;
    this.echo = options.echo ?? true;
  }

  dialog(chatId: string | undefined): FakeDialog {
    const dialog = chatId === undefined ? undefined : this.dialogs.get(chatId);
    if (!dialog) throw new Error(`no dialog ${chatId}`);
    return dialog;
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
    const dialog = this.dialog(chatId);
    return this.append(dialog, 'incoming_event', {
      event: {
        id: `m-${chatId}-${dialog.log.length + 1}`,
        type: 'message',
        author: 'bot',
        text,
        quick_replies: quickReplies,
        created_at: new Date(this.clock.now()).toISOString(),
      },
    });
  }

  notify(chatId: string, message: string): StoredPush {
    return this.append(this.dialog(chatId), 'host_notification', { message });
  }

  /** Closes a dialog as another tab's reset would: stores and publishes `thread_closed`. */
  closeDialog(chatId: string): void {
    const dialog = this.dialog(chatId);
    if (dialog.closed) return;
    this.append(dialog, 'thread_closed', {});
    dialog.closed = true;
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

  /** Drops pushes with `seq <= upTo` from the dialog's log, as retention would. */
  trim(chatId: string, upTo: number): void {
    this.dialog(chatId).trimmed = upTo;
  }

  private broadcast(chatId: string, frame: unknown): void {
    for (const connection of this.connections) {
      if (connection.chatId === chatId) this.sendFrame(connection, frame);
    }
  }

  private append<A extends StoredPushAction>(
    dialog: FakeDialog,
    action: A,
    fields: Omit<StoredPushPayloads[A], 'chat_id' | 'seq'>,
  ): StoredPush {
    const push = {
      action,
      type: 'push',
      payload: { chat_id: dialog.id, seq: dialog.log.length + 1, ...fields },
    } as StoredPush;
    dialog.log.push(push);
    this.broadcast(dialog.id, push);
    return push;
  }

  private createDialog(context: JsonObject | undefined): FakeDialog {
    this.dialogCounter += 1;
    const id = `chat-${this.dialogCounter}`;
    const dialog: FakeDialog = {
      id,
      token: `${id}.sig`,
      log: [],
      trimmed: 0,
      closed: false,
      context,
      seen: new Map(),
      pageEvents: [],
    };
    this.dialogs.set(id, dialog);
    return dialog;
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
        const old = this.dialog(connection.chatId);
        this.closeDialog(old.id);
        const dialog = this.createDialog(request.payload.context);
        connection.chatId = dialog.id;
        this.respond(answerTo, request, this.sessionPayload(dialog, false, true, []));
        if (this.welcome) this.botSay(dialog.id, 'Welcome!');
        return;
      }
      case 'send_event': {
        const dialog = this.dialog(connection.chatId);
        const { text, custom_id } = request.payload.event;
        const answer = this.dedupe(dialog, custom_id, () => {
          const push = this.append(dialog, 'incoming_event', {
            event: {
              id: `m-${dialog.id}-${dialog.log.length + 1}`,
              type: 'message',
              author: 'visitor',
              text,
              custom_id,
              created_at: new Date(this.clock.now()).toISOString(),
            },
          });
          return { event_id: `m-${dialog.id}-${push.payload.seq}`, seq: push.payload.seq };
        });
        this.respond(answerTo, request, answer.payload);
        if (answer.fresh && this.echo) this.botSay(dialog.id, `echo: ${text}`);
        return;
      }
      case 'send_rich_message_postback': {
        const dialog = this.dialog(connection.chatId);
        const { event_id, postback, custom_id } = request.payload;
        const answer = this.dedupe(dialog, custom_id, () => {
          const push = this.append(dialog, 'incoming_rich_message_postback', {
            event_id,
            postback,
            custom_id,
            created_at: new Date(this.clock.now()).toISOString(),
          });
          return { event_id: `p-${dialog.id}-${push.payload.seq}`, seq: push.payload.seq };
        });
        this.respond(answerTo, request, answer.payload);
        return;
      }
      case 'page_event': {
        const dialog = this.dialog(connection.chatId);
        const { alias, body, custom_id } = request.payload;
        const answer = this.dedupe(dialog, custom_id, () => {
          dialog.pageEvents.push({ alias, body, custom_id });
          return { accepted: true };
        });
        this.respond(answerTo, request, answer.payload);
        return;
      }
      case 'update_context':
        this.dialog(connection.chatId).context = request.payload.context;
        this.respond(answerTo, request, {});
        return;
      case 'ping':
        this.respond(answerTo, request, {});
        return;
    }
  }

  private dedupe(dialog: FakeDialog, customId: string, create: () => JsonObject): { payload: JsonObject; fresh: boolean } {
    const seen = dialog.seen.get(customId);
    if (seen) return { payload: seen, fresh: false };
    const payload = create();
    dialog.seen.set(customId, payload);
    return { payload, fresh: true };
  }

  private login(connection: FakeConnection, answerTo: FakeConnection, request: Extract<ClientRequest, { action: 'login' }>): void {
    const { token, last_seq: lastSeq = 0, history: wantHistory, context } = request.payload;
    let dialog = token === undefined ? undefined : [...this.dialogs.values()].find((d) => d.token === token);
    let resumed = true;
    // A new thread: this fake models each thread as its own chat, so the old one simply closes.
    if (dialog && !dialog.closed && request.payload.new_thread === true) this.closeDialog(dialog.id);
    if (!dialog || dialog.closed) {
      dialog = this.createDialog(context);
      resumed = false;
    }
    const retained = dialog.log.filter((push) => push.payload.seq > dialog.trimmed);
    // Servable when every push after last_seq is still retained and last_seq is not from the future.
    const recovered = lastSeq <= dialog.log.length && lastSeq >= dialog.trimmed;
    const history = recovered ? (wantHistory ? retained.filter((p) => p.payload.seq <= lastSeq) : []) : retained;
    connection.chatId = dialog.id;
    this.respond(answerTo, request, this.sessionPayload(dialog, resumed, recovered, history));
    // "Pushes after the client's last_seq follow at once", before any live push.
    if (recovered) for (const push of retained.filter((p) => p.payload.seq > lastSeq)) this.sendFrame(answerTo, push);
    if (!resumed && this.welcome) this.botSay(dialog.id, 'Welcome!');
  }

  private sessionPayload(dialog: FakeDialog, resumed: boolean, recovered: boolean, history: StoredPush[]): JsonObject {
    return {
      chat_id: dialog.id,
      customer_id: dialog.id,
      // This fake starts a new chat on every reset, so each chat has one thread.
      thread_id: `thread-${dialog.id}`,
      thread_seq: 0,
      token: dialog.token,
      resumed,
      recovered,
      last_seq: dialog.log.length,
      history,
      settings: FAKE_SETTINGS,
    };
  }
}
