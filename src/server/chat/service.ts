/**
 * The chat operations shared by the websocket, the HTTP API and the bot runtime: storing
 * (through the {@link Store}) and then publishing to live connections (through the {@link Hub}).
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject, StoredPush } from '../../protocol';
import type { Endpoint } from '../endpoints';
import type { ServerMetrics } from '../metrics';
import type {
  AppendResult,
  ChatRecord,
  ChatUser,
  InboundInput,
  InboundResult,
  InboxItem,
  NewThreadResult,
  Origin,
  PushBuilder,
  Store,
} from '../store/types';
import { fanOut, type Audience } from './fanout';
import type { Hub } from './hub';
import { toInboxRow, type FileUpload, type PageEvent, type Postback, type PushbackEvent, type VisitorMessage } from './inbound';
import { messagePush, postbackPush, threadClosedPush, typingPush } from './pushes';

/** Told of every stored push and every new thread, after the store has them (the agent side). */
export interface ChatObserver {
  stored(chatId: string, push: StoredPush): void;
  threadStarted(chatId: string): void;
}

/** What the intake takes for one chat (an external event goes through the fan-out instead). */
export type ChatIntake = VisitorMessage | Postback | FileUpload | PageEvent | PushbackEvent;

/** The runtime, as the intake sees it. */
export interface ItemSink {
  /** A stored item to run (in id order per chat). */
  submit(item: InboxItem): void;
  /**
   * Runs `item` at once, before its write has run (its `id` is 0 until then), so that a handler
   * that finishes within the turn has its outputs and done mark in the item's own commit.
   * `answered` settles once the intake answered its client. False when the chat is busy: the
   * caller then submits the stored item as usual.
   */
  runEarly(item: InboxItem, answered: Promise<void>): boolean;
}

/** Accepted: stored durably; call `release()` once the client has its answer. */
export type Accepted = Extract<InboundResult, { status: 'accepted' }> & { release(): void };
export type Ingested = Accepted | Exclude<InboundResult, { status: 'accepted' }>;

/** The visitor's own push of an input: a message or a postback shows in the transcript. */
function visitorPush(chatId: string, input: ChatIntake): PushBuilder | undefined {
  if (input.kind === 'message') return messagePush(chatId, { id: input.eventId, author: 'visitor', text: input.text, customId: input.customId });
  if (input.kind === 'postback') return postbackPush(chatId, input.eventId, input.postback, input.customId ?? '', input.shown);
  if (input.kind === 'file') {
    const { id, name, contentType, size } = input.file;
    // The text is the name: whatever shows only text (agents, the host page's `message`) still says what was sent.
    const file = { id, name, content_type: contentType, size };
    return messagePush(chatId, { id: input.eventId, author: 'visitor', text: name, file, customId: input.customId });
  }
  return undefined;
}

export class ChatService {
  /** The agent side's feed, set once at wiring. */
  observer: ChatObserver | undefined;
  /** Intakes stored or being stored and not yet handed to the runtime, per chat. */
  private readonly intakes = new Counts();

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly metrics: ServerMetrics,
  ) {}

  /** Creates a chat with its first thread and `start` item (the caller schedules it once the client has its answer). */
  async openChat(endpoint: Endpoint, context: JsonObject, user?: ChatUser): Promise<{ chat: ChatRecord; startItem: InboxItem }> {
    const created = await this.store.createChat({
      id: randomUUID(),
      threadId: randomUUID(),
      endpoint: endpoint.endpoint,
      organization: endpoint.organization,
      context,
      ...(user ? { user } : {}),
    });
    this.metrics.chatsCreated.inc();
    this.metrics.threadsStarted.inc();
    this.metrics.eventsIn.inc({ kind: 'start' });
    this.observer?.threadStarted(created.chat.id);
    return created;
  }

  /**
   * Closes the chat's current thread (when open) and starts a new one with its `start` item.
   * Does not publish: the caller answers its client first, then calls {@link announceThread}, so
   * the resetting tab gets its response before the closing.
   */
  async startThread(chatId: string, context?: JsonObject): Promise<NewThreadResult | undefined> {
    const result = await this.store.startThread({
      chatId,
      threadId: randomUUID(),
      close: (threadId) => threadClosedPush(chatId, threadId),
      ...(context === undefined ? {} : { context }),
    });
    if (!result) return undefined;
    if (result.closed) this.metrics.threadsClosed.inc();
    this.metrics.threadsStarted.inc();
    this.metrics.eventsIn.inc({ kind: 'start' });
    return result;
  }

  /** Publishes what {@link startThread} stored: the previous thread's `thread_closed`, then the new thread. */
  announceThread(chatId: string, result: NewThreadResult): void {
    if (result.closed) this.published(chatId, result.closed);
    this.observer?.threadStarted(chatId);
  }

  /** Closes the chat's current thread: stores and publishes `thread_closed`. False when it was closed already. */
  async closeThread(chatId: string): Promise<boolean> {
    const push = await this.store.closeThread(chatId, (threadId) => threadClosedPush(chatId, threadId));
    if (!push) return false;
    this.metrics.threadsClosed.inc();
    this.published(chatId, push);
    return true;
  }

  /**
   * Appends a push and, when it is new, publishes it to the chat's connections (once `after`
   * settled, when given: an early bot turn's output waits for its intake's answer).
   */
  async append(chatId: string, build: PushBuilder, origin?: Origin, after?: Promise<void>): Promise<AppendResult> {
    const result = await this.store.append(chatId, build, origin);
    if (after) await after;
    if (result.inserted) this.published(chatId, result.push);
    return result;
  }

  /** Where each accepted item goes next (the bot runtime), wired once. */
  runtime: ItemSink | undefined;

  /**
   * The one intake of a chat: stores what arrived (with the visitor's own push for a message or a
   * postback) in the turn's group commit, counts it, and, on {@link Accepted.release}, publishes the
   * echo and hands the stored item to the runtime in memory. The caller answers its client
   * between the two (the 202, or the websocket response before the echo), so the answer always
   * precedes the push. A failed commit rejects (the caller answers 5xx; nothing was stored).
   *
   * Shared commit: with a group-commit store, an input that cannot turn out a duplicate (no
   * `customId`) or be refused for a closed thread starts its bot turn in the same event-loop turn
   * as its write, so a handler that answers at once has the item, its outputs and its done mark
   * stored by one commit; its outputs are published after the echo, on release.
   */
  async ingest(chatId: string, input: ChatIntake, options: { requireOpen?: boolean } = {}): Promise<Ingested> {
    // Not early while an earlier intake of the chat is stored but not yet handed to the runtime:
    // this item (a later id) would overtake it.
    const early = this.intakes.has(chatId) ? undefined : this.earlyItem(chatId, input, options);
    this.intakes.add(chatId);
    let handedOver = false;
    const handOver = () => {
      if (handedOver) return;
      handedOver = true;
      this.intakes.remove(chatId);
    };
    let answer = (): void => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let result: InboundResult;
    try {
      const accepting = this.store.acceptInbound({
        chatId,
        input,
        push: visitorPush(chatId, input),
        requireOpen: options.requireOpen,
        ...(early ? { stored: (item: InboxItem) => Object.assign(early, { id: item.id, createdAt: item.createdAt }) } : {}),
      });
      const running = early !== undefined && this.runtime !== undefined && this.runtime.runEarly(early, answered);
      result = await accepting;
      if (result.status !== 'accepted') {
        handOver();
        answer();
        return result;
      }
      this.metrics.eventsIn.of(result.item.kind).inc();
      const accepted = result;
      return {
        ...accepted,
        release: () => {
          if (accepted.push) this.published(chatId, accepted.push);
          answer();
          if (!running) this.runtime?.submit(accepted.item);
          handOver();
        },
      };
    } catch (error) {
      handOver();
      answer();
      throw error;
    }
  }

  /** The item an early turn runs on (see {@link ingest}): id 0 until the write ran, then the stored one's. */
  private earlyItem(chatId: string, input: ChatIntake, options: { requireOpen?: boolean }): InboxItem | undefined {
    if (this.store.groupCommit !== true || options.requireOpen === true) return undefined;
    if (input.kind !== 'pushback' && input.customId !== undefined) return undefined;
    return { id: 0, chatId, input, ...toInboxRow(input), createdAt: '' };
  }

  /**
   * The intake of an external event: stored in batches (one write each, see fanout.ts), each
   * batch's pushes published as soon as it committed, the items handed to the runtime once all are
   * stored. Resolves with the number of chats reached once every batch is stored.
   */
  async ingestExternal(endpoint: Endpoint, audience: Audience, event: string, data: JsonObject): Promise<number> {
    return fanOut(
      {
        store: this.store,
        publish: (result) => {
          if (result.push) this.published(result.chatId, result.push);
        },
        submit: (item) => this.runtime?.submit(item),
        counted: (items) => this.metrics.eventsIn.of('event').inc(items),
      },
      endpoint,
      audience,
      event,
      data,
    );
  }

  /** Erases the chat (see Store.eraseChat) and lets its open widgets go. False when there was none. */
  async eraseChat(chatId: string): Promise<boolean> {
    const erased = await this.store.eraseChat(chatId);
    if (erased) this.hub.erased(chatId);
    return erased;
  }

  /** The ephemeral typing indicator. */
  typing(chatId: string, isTyping: boolean): void {
    this.hub.publishEphemeral(chatId, typingPush(chatId, isTyping));
  }

  private published(chatId: string, push: StoredPush): void {
    this.metrics.eventsOut.of(push.action).inc();
    this.hub.publish(chatId, push);
    this.observer?.stored(chatId, push);
  }
}

/** How many of something each key has; a key at zero is forgotten. */
class Counts {
  private readonly counts = new Map<string, number>();

  has(key: string): boolean {
    return this.counts.has(key);
  }

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  remove(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }
}
