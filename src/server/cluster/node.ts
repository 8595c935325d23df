/**
 * One node of a multi-node service (`roundel serve --database … --redis …`): the PostgreSQL store
 * every node shares, the Redis bus carrying live pushes and wake-ups, and the shard leases that
 * make exactly one node the worker of each chat (docs/scaling.md).
 *
 * Any node accepts any request and stores it; the bot turn then runs on the node that holds the
 * chat's shard. A node that stored work for a chat it does not own wakes the owner over the bus;
 * a wake-up lost with Redis is found by the owner's periodic sweep of pending items, and a shard
 * taken over from a dead node has its pending items run at once.
 */
import { isObject } from '../../protocol';
import { createRedisBus } from '../bus/redis';
import { MemoryBroker } from '../bus/memory';
import { ClusterHub } from '../bus/cluster-hub';
import type { Bus, BusHandler } from '../bus/types';
import { errorFields, type Logger } from '../logger';
import type { Placement } from '../runtime/runtime';
import { openPostgresStore, type PostgresStore } from '../store/postgres/store';
import type { Retention } from '../store/types';
import { LeaseKeeper, shardOf } from './leases';

export interface ClusterNodeOptions {
  /** PostgreSQL URL. */
  database: string;
  /** Redis URL; without it pushes reach other nodes only through the position check. */
  redis?: string;
  nodeId: string;
  logger: Logger;
  retention?: Partial<Retention>;
  /** Shard lease lifetime. Default 10 000 ms: a dead node's chats move within about 12 s. */
  leaseTtlMs?: number;
  /** Lease renewal period. Default 2000 ms. */
  renewMs?: number;
  /** Period of the sweep for pending items of owned shards. Default 5000 ms. */
  sweepMs?: number;
  /** Period of the live position check of served chats. Default 5000 ms. */
  checkMs?: number;
  /** Called after every committed write transaction of the store (metrics). */
  onCommit?: (writes: number) => void;
}

export interface ClusterNode {
  readonly store: PostgresStore;
  readonly hub: ClusterHub;
  /** Redis between the nodes (in-process without `redis`): also carries the agent side's pushes. */
  readonly bus: Bus;
  /** Where the runtime runs a chat: here when this node holds its shard, else on the owner (woken). */
  readonly placement: Placement;
  /** Takes shard leases; `schedule` runs a chat's pending items here. */
  start(schedule: (chatId: string) => void): Promise<void>;
  /** True when the database answers (within 2 s). */
  healthy(): Promise<boolean>;
  /** Gives the shards back and disconnects the bus; the store is closed by its owner. */
  close(): Promise<void>;
}

const shardTopic = (shard: number): string => `roundel:shard:${shard}`;
const HEALTH_TIMEOUT_MS = 2000;

export async function openClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const { logger, nodeId } = options;
  const store = await openPostgresStore(options.database, { logger, retention: options.retention, onCommit: options.onCommit });
  const bus: Bus = options.redis === undefined ? new MemoryBroker().connect() : createRedisBus(options.redis, { logger });
  const hub = new ClusterHub({ bus, nodeId, log: store, logger, checkMs: options.checkMs });
  let keeper: LeaseKeeper | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const wakeHandlers = new Map<number, BusHandler>();

  const owns = (chatId: string): boolean => keeper?.fenceFor(chatId) !== undefined;
  const placement: Placement = {
    owns,
    elsewhere(chatId) {
      void bus.publish(shardTopic(shardOf(chatId)), { chatId });
    },
  };

  return {
    store,
    hub,
    bus,
    placement,
    async start(schedule) {
      const runPending = async (shards?: ReadonlySet<number>) => {
        try {
          for (const chatId of await store.pendingChatIds()) {
            if (shards === undefined ? owns(chatId) : shards.has(shardOf(chatId))) schedule(chatId);
          }
        } catch (error) {
          logger.warn('sweeping pending items failed', errorFields(error));
        }
      };
      keeper = new LeaseKeeper({
        pool: store.pool,
        nodeId,
        logger,
        ttlMs: options.leaseTtlMs,
        renewMs: options.renewMs,
        onAcquired(shards) {
          for (const shard of shards) {
            const handler: BusHandler = (message) => {
              if (isObject(message) && typeof message.chatId === 'string' && owns(message.chatId)) schedule(message.chatId);
            };
            wakeHandlers.set(shard, handler);
            void bus.subscribe(shardTopic(shard), handler);
          }
          // A dead owner's pending items (and the work it was woken for) run here now.
          void runPending(new Set(shards));
        },
        onLost(shards) {
          for (const shard of shards) {
            const handler = wakeHandlers.get(shard);
            wakeHandlers.delete(shard);
            if (handler) bus.unsubscribe(shardTopic(shard), handler);
          }
        },
      });
      store.fenceWith((chatId) => keeper?.fenceFor(chatId));
      // Its Idempotency-Key claims name this process: once it stops heartbeating, they are free.
      store.claimAs({ owner: keeper.owner, liveMs: options.leaseTtlMs ?? 10_000 });
      await keeper.start();
      sweepTimer = setInterval(() => void runPending(), options.sweepMs ?? 5000);
      sweepTimer.unref();
    },
    async healthy() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
      });
      try {
        return await Promise.race([store.ping().then(() => true, () => false), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      clearInterval(sweepTimer);
      hub.close();
      try {
        await keeper?.stop();
      } catch (error) {
        // The database may be gone: the leases then run out by themselves.
        logger.warn('giving the shard leases back failed', errorFields(error));
      }
      await bus.close();
    },
  };
}
