/**
 * The agent side's part of the store (docs/agent-api.md): each chat's routing and agents, and the
 * webhook outbox. Every engine provides both (`Store.agents`, `Store.webhooks`).
 */

/** Who answers a chat. Absent row = `bot` with no agents. */
export interface AgentChatState {
  chatId: string;
  endpoint: string;
  /** `bot`: the bot answers; `queued`: handed off, waiting for an agent; `assigned`: agents answer. */
  routing: 'bot' | 'queued' | 'assigned';
  /** The reason given to `ctx.handoff()`, if any. */
  reason: string | null;
  /** Ids of the agents in the chat, in joining order. */
  agents: string[];
}

export interface AgentsStore {
  getChatState(chatId: string): Promise<AgentChatState | undefined>;
  putChatState(state: AgentChatState): Promise<void>;
  /** Chats of `endpoint` that are queued or assigned, oldest change first. */
  routedChats(endpoint: string): Promise<AgentChatState[]>;
  removeChatState(chatId: string): Promise<void>;
  /** Chats waiting for an agent (all endpoints): the `/metrics` gauge. */
  countQueued(): Promise<number>;
}

/** A webhook POST to make, as enqueued. `body` is the exact JSON that is signed and sent. */
export interface NewDelivery {
  /** The id the receiver uses to drop repeats (unique; a second enqueue with it is ignored). */
  webhookId: string;
  /** The queue key: deliveries of one hook and one chat go out one at a time, in order. */
  hook: string;
  endpoint: string;
  url: string;
  chatId: string;
  action: string;
  body: string;
}

export interface OutboxDelivery extends NewDelivery {
  id: number;
  /** Failed attempts so far. */
  attempts: number;
  /** Enqueue time (ms since the epoch): retries stop 24 h after it. */
  createdAt: number;
}

/**
 * How far a chat's committed history was turned into webhook deliveries (docs/agent-api.md#webhooks).
 * Positions order what a chat commits: `2·seq` for its push `seq`, `2·startSeq + 1` for the start
 * of the thread that began after push `startSeq` (see {@link pushPosition}, {@link threadPosition}).
 */
export interface WebhookCursor {
  chatId: string;
  position: number;
}

/** The position of the push `seq` in its chat's history. */
export const pushPosition = (seq: number): number => 2 * seq;
/** The position of the start of a thread whose `startSeq` is given. */
export const threadPosition = (startSeq: number): number => 2 * startSeq + 1;

/**
 * The durable outbox. A claim leases the head of each (hook, chat) queue to one owner (a node)
 * until `leaseUntil`; only that owner may finish it, and an expired lease is claimable again, so
 * a node killed mid-delivery loses nothing and two nodes never deliver the same row at once.
 */
export interface WebhookOutboxStore {
  /**
   * Stores `items` (a `webhookId` stored before is ignored) and advances `cursors` (never
   * backwards), in one transaction.
   */
  enqueue(items: readonly NewDelivery[], now: number, cursors?: readonly WebhookCursor[]): Promise<void>;
  /**
   * Chats of `endpoints` whose committed history goes past their cursor, with that cursor.
   * A chat with no cursor (`position` -1) is listed only when it was created at most `sinceMs`
   * before the newest cursor change (before now when there is none): it is new, rather than a
   * chat of an endpoint that had no hooks, whose past is not to be sent.
   */
  behind(endpoints: readonly string[], sinceMs: number): Promise<WebhookCursor[]>;
  /** Frees the leases `owner` holds: a node that (re)starts holds none, whatever its previous life leased. */
  release(owner: string): Promise<void>;
  /** Leases up to `limit` due queue heads to `owner`. */
  claim(now: number, leaseUntil: number, owner: string, limit: number): Promise<OutboxDelivery[]>;
  delivered(id: number, owner: string, now: number): Promise<boolean>;
  /** Gives up on a row (24 h passed, or the hook is no longer configured): the queue moves on. */
  abandon(id: number, owner: string, error: string, now: number): Promise<boolean>;
  retry(id: number, owner: string, nextAttemptAt: number, error: string): Promise<boolean>;
  /** When the earliest pending row becomes claimable (ms), or undefined when none is pending. */
  nextDueAt(): Promise<number | undefined>;
  pendingCount(): Promise<number>;
  /** Forgets finished rows older than `before` (ms). */
  trim(before: number): Promise<void>;
}
