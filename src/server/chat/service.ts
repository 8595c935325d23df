/**
 * The dialog operations shared by the websocket, the HTTP API and the bot runtime: storing
 * (through the {@link Store}) and then publishing to live connections (through the {@link Hub}).
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject, StoredPush } from '../../protocol';
import type { Endpoint } from '../endpoints';
import type { ServerMetrics } from '../metrics';
import type { AppendResult, DialogRecord, InboundInput, InboundResult, InboxItem, PushBuilder, Store } from '../store/types';
import type { Hub } from './hub';
import { threadClosedPush, typingPush } from './pushes';

/** Told of every stored push and every new thread, after the store has them (the agent side). */
export interface ChatObserver {
  stored(chatId: string, push: StoredPush): void;
  threadStarted(chatId: string): void;
}

export class ChatService {
  /** The agent side's feed, set once at wiring. */
  observer: ChatObserver | undefined;

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Creates a dialog with its `start` item (the caller schedules it once the client has its answer). */
  async openDialog(endpoint: Endpoint, context: JsonObject): Promise<{ dialog: DialogRecord; startItem: InboxItem }> {
    const created = await this.store.createDialog({
      id: randomUUID(),
      endpoint: endpoint.endpoint,
      organization: endpoint.organization,
      context,
    });
    this.metrics.dialogsCreated.inc();
    this.metrics.eventsIn.inc({ kind: 'start' });
    this.observer?.threadStarted(created.dialog.id);
    return created;
  }

  /** Appends a push and, when it is new, publishes it to the dialog's connections. */
  async append(dialogId: string, build: PushBuilder, origin?: string): Promise<AppendResult> {
    const result = await this.store.append(dialogId, build, origin);
    if (result.inserted) this.published(dialogId, result.push);
    return result;
  }

  /**
   * Stores an inbound item (and its visible push). Does not publish: the websocket answers the
   * sender first and then calls {@link publish}, so the response precedes the push.
   */
  async accept(input: InboundInput): Promise<InboundResult> {
    const result = await this.store.acceptInbound(input);
    if (result.status === 'accepted') this.metrics.eventsIn.inc({ kind: input.kind });
    return result;
  }

  /** Publishes a push that was stored by {@link accept}. */
  publish(dialogId: string, push: StoredPush): void {
    this.published(dialogId, push);
  }

  /** Closes a dialog: stores and publishes `thread_closed`. False when it was closed already. */
  async closeDialog(dialogId: string): Promise<boolean> {
    const push = await this.store.closeDialog(dialogId, threadClosedPush(dialogId));
    if (!push) return false;
    this.metrics.dialogsClosed.inc();
    this.published(dialogId, push);
    return true;
  }

  /** The ephemeral typing indicator. */
  typing(dialogId: string, isTyping: boolean): void {
    this.hub.publishEphemeral(dialogId, typingPush(dialogId, isTyping));
  }

  private published(dialogId: string, push: StoredPush): void {
    this.metrics.eventsOut.inc({ action: push.action });
    this.hub.publish(dialogId, push);
    this.observer?.stored(dialogId, push);
  }
}
