/**
 * The {@link Hub} of a node that shares its chats with other nodes. Pushes stored here are
 * delivered to this node's connections at once and published on the {@link Bus}; pushes that other
 * nodes publish reach this node's connections of that chat. Sessions order by `seq` and fill any
 * gap from the chat's log themselves, so this hub only has to make sure they hear of the newest
 * push: after a bus reconnect, on a new subscription and on a periodic position check, it reads
 * each served chat's newest `seq` from the database and, when it is ahead of what was delivered,
 * delivers the newest push (docs/scaling.md, "Live traffic").
 */
import { isObject, isStoredPush, parsePush, type Push, type StoredPush } from '../../protocol';
import { Hub, type Subscriber } from '../chat/hub';
import { errorFields, type Logger } from '../logger';
import type { Bus, BusHandler } from './types';

/** What the hub reads from the database to catch up. */
export interface LogTail {
  /** The newest `seq` of each chat that has pushes (others may be absent). */
  lastSeqs(chatIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** The newest stored push of a chat, if it has one. */
  tail(chatId: string): Promise<StoredPush | undefined>;
}

export interface ClusterHubOptions {
  bus: Bus;
  /** This node's name: its own messages coming back from the bus are skipped. */
  nodeId: string;
  log: LogTail;
  logger: Logger;
  /** Period of the position check of the served chats. Default 5000 ms. */
  checkMs?: number;
}

/** Chats per position query. */
const CHECK_BATCH = 500;

export const chatTopic = (chatId: string): string => `roundel:chat:${chatId}`;

export class ClusterHub extends Hub {
  /** Highest `seq` delivered to this node's connections, per served chat. */
  private readonly delivered = new Map<string, number>();
  private readonly handlers = new Map<string, BusHandler>();
  private readonly timer: NodeJS.Timeout;
  private readonly stopResync: () => void;
  private checking: Promise<void> | undefined;

  constructor(private readonly options: ClusterHubOptions) {
    super();
    this.timer = setInterval(() => void this.check(), options.checkMs ?? 5000);
    this.timer.unref();
    this.stopResync = options.bus.onResync(() => void this.check());
  }

  override subscribe(chatId: string, subscriber: Subscriber): void {
    const first = this.count(chatId) === 0;
    super.subscribe(chatId, subscriber);
    if (!first || this.handlers.has(chatId)) return;
    const handler: BusHandler = (message) => this.receive(chatId, message);
    this.handlers.set(chatId, handler);
    this.delivered.set(chatId, 0);
    // A push published before the broker confirmed the subscription was not heard: look once.
    void this.options.bus.subscribe(chatTopic(chatId), handler).then(() => this.catchUp([chatId]));
  }

  override unsubscribe(chatId: string, subscriber: Subscriber): void {
    super.unsubscribe(chatId, subscriber);
    const handler = this.handlers.get(chatId);
    if (this.count(chatId) > 0 || !handler) return;
    this.handlers.delete(chatId);
    this.delivered.delete(chatId);
    this.options.bus.unsubscribe(chatTopic(chatId), handler);
  }

  override publish(chatId: string, push: StoredPush): void {
    this.noteDelivered(chatId, push.payload.seq);
    super.publish(chatId, push);
    void this.options.bus.publish(chatTopic(chatId), { node: this.options.nodeId, push });
  }

  override publishEphemeral(chatId: string, push: Push): void {
    super.publishEphemeral(chatId, push);
    void this.options.bus.publish(chatTopic(chatId), { node: this.options.nodeId, push });
  }

  /** Lets go of the chat's connections here and, over the bus, on every other node (its erasure). */
  override erased(chatId: string): void {
    super.erased(chatId);
    void this.options.bus.publish(chatTopic(chatId), { node: this.options.nodeId, erased: true });
  }

  /** Runs one position check of every served chat now (also what the timer and a resync do). */
  check(): Promise<void> {
    this.checking ??= (async () => {
      const chats = [...this.handlers.keys()];
      for (let i = 0; i < chats.length; i += CHECK_BATCH) await this.catchUp(chats.slice(i, i + CHECK_BATCH));
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** Stops the position check; the bus is closed by its owner. */
  close(): void {
    clearInterval(this.timer);
    this.stopResync();
  }

  private receive(chatId: string, message: unknown): void {
    if (!isObject(message) || message.node === this.options.nodeId) return;
    if (message.erased === true) return super.erased(chatId);
    const parsed = parsePush(message.push);
    if (!parsed.ok || parsed.value.payload.chat_id !== chatId) {
      this.options.logger.warn('ignoring a malformed bus message', { chatId, error: parsed.ok ? 'chat_id differs' : parsed.error });
      return;
    }
    const push = parsed.value;
    if (!isStoredPush(push)) return super.publishEphemeral(chatId, push);
    this.noteDelivered(chatId, push.payload.seq);
    super.publish(chatId, push);
  }

  private noteDelivered(chatId: string, seq: number): void {
    const known = this.delivered.get(chatId);
    if (known !== undefined && seq > known) this.delivered.set(chatId, seq);
  }

  private async catchUp(chatIds: readonly string[]): Promise<void> {
    try {
      const positions = await this.options.log.lastSeqs(chatIds);
      for (const chatId of chatIds) {
        const last = positions.get(chatId);
        const known = this.delivered.get(chatId);
        if (last === undefined || known === undefined || last <= known) continue;
        const push = await this.options.log.tail(chatId);
        // Delivering the newest push is enough: each session reads what lies between from the log.
        if (push && this.delivered.has(chatId)) {
          this.noteDelivered(chatId, push.payload.seq);
          super.publish(chatId, push);
        }
      }
    } catch (error) {
      // The database may be down too; the next check or resync tries again.
      this.options.logger.warn('catching up from the database failed', errorFields(error));
    }
  }
}
