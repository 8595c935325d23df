/**
 * What the client sends besides logging in: the offline outbox (visitor messages, postbacks,
 * page events), the context updates and the reports for agents (drafts, pages). None of it can
 * go out before the conversation is Ready, so the widget loads this part lazily, with the
 * panel (src/api/lazy.ts), and the first load stays the connection; the client holds the calls
 * made before it arrives (chat-client.ts).
 */
import type { CustomerPagePayload, ErrorBody, JsonObject, RequestAction } from '../protocol';
import { createContextSync } from './context-sync';
import { messageItem, newCustomId, outboxRequest, pageEventItem, parseOutbox, postbackItem } from './outbox-items';
import { createOutboxQueue } from './outbox-queue';
import type { RequestHandlers } from './pending-requests';
import type { Timers } from './timers';
import type { Clock, Logger, OutboxItem } from './types';
import { createVisitorReports } from './visitor-reports';

export interface QueuesDeps {
  timers: Timers;
  clock: Clock;
  log: Logger;
  /** True while logged in. */
  ready(): boolean;
  /** True while a new chat is starting: outbox items sent now would land in the old thread. */
  switching(): boolean;
  send(action: RequestAction, payload: unknown, handlers: RequestHandlers): void;
  /** The outbox changed: persist it and tell listeners. */
  changed(items: readonly OutboxItem[]): void;
  /** A request was refused for good. */
  error(error: ErrorBody): void;
  /** The reconnect backoff, reused for retries while connected. */
  backoff(attempt: number): number;
}

/** The queues a {@link ChatClient} drives once they are attached. */
export interface Queues {
  readonly items: readonly OutboxItem[];
  sendMessage(text: string): OutboxItem;
  sendPostback(eventId: string, text: string, title?: string): OutboxItem;
  pageEvent(alias: string, body?: JsonObject): Promise<void>;
  updateContext(context: JsonObject): Promise<void>;
  draft(text: string): void;
  page(page: CustomerPagePayload): void;
  /** Logged in (or a new chat loaded): send what waited. */
  flush(): void;
  /** A login succeeded: the page is reported again. */
  loggedIn(): void;
  /** The socket went. */
  pause(): void;
  /** The client is destroyed: reject every caller still waiting (items stay stored for the next page). */
  rejectAll(error: ErrorBody): void;
}

/** Builds the queues; `restored` is the outbox as storage held it (parsed here: storage is untrusted). */
export function createQueues(deps: QueuesDeps, restored: unknown): Queues {
  const { timers, clock, log, send, backoff } = deps;
  const canSend = () => deps.ready();
  const outbox = createOutboxQueue(
    {
      timers,
      canSend: () => canSend() && !deps.switching(),
      send: (item, handlers) => {
        const { action, payload } = outboxRequest(item);
        send(action, payload, handlers);
      },
      changed: deps.changed,
      refused: (item, error) => {
        log('warn', `the server refused ${item.kind} ${item.customId}: ${error.message}`);
        deps.error(error);
      },
      retryDelay: backoff,
    },
    parseOutbox(restored),
  );
  const context = createContextSync({
    timers,
    canSend,
    send: (next, handlers) => send('update_context', { context: next }, handlers),
    refused: deps.error,
    retryDelay: () => backoff(0),
  });
  const reports = createVisitorReports({
    timers,
    canSend,
    send: (action, payload) => send(action, payload, { ok: () => {}, fail: (error) => log('debug', `${action} refused: ${error.message}`) }),
  });
  const customId = () => newCustomId(() => clock.random());
  const timestamp = () => new Date(clock.now()).toISOString();
  const enqueue = (item: OutboxItem): OutboxItem => {
    outbox.add(item);
    return item;
  };

  return {
    get items() {
      return outbox.items;
    },
    sendMessage: (text) => enqueue(messageItem(text, customId(), timestamp())),
    sendPostback: (eventId, text, title) => enqueue(postbackItem(eventId, text, customId(), timestamp(), title)),
    pageEvent(alias, body) {
      const item = pageEventItem(alias, body, customId(), timestamp());
      return new Promise((resolve, reject) => outbox.add(item, { resolve, reject }));
    },
    updateContext: (next) => context.update(next),
    draft: reports.draft,
    page: reports.page,
    flush() {
      context.flush();
      outbox.flush();
    },
    loggedIn: reports.loggedIn,
    pause() {
      outbox.pause();
      context.pause();
    },
    rejectAll(error) {
      context.rejectAll(error);
      outbox.rejectWaiters(error);
    },
  };
}
