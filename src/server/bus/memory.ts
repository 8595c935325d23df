/**
 * An in-process bus: every "node" connected to one {@link MemoryBroker} sees the others' messages.
 * Single-node servers need no bus at all; this one lets tests run several nodes in one process and
 * simulate what Redis does to them (a lost message, a reconnect).
 */
import { Listeners, TopicHandlers } from './handlers';
import type { Bus, BusHandler } from './types';

export class MemoryBroker {
  private readonly buses = new Set<MemoryBus>();
  /** While true, published messages vanish (an unreachable broker). */
  dropping = false;

  connect(onError: (error: unknown) => void = () => {}): Bus {
    const bus = new MemoryBus(this, onError);
    this.buses.add(bus);
    return bus;
  }

  /** Tells every connected bus that messages may have been lost (what a Redis reconnect does). */
  resync(): void {
    for (const bus of this.buses) bus.resyncNow();
  }

  /** @internal */
  deliver(topic: string, text: string): void {
    for (const bus of this.buses) bus.receive(topic, text);
  }

  /** @internal */
  remove(bus: MemoryBus): void {
    this.buses.delete(bus);
  }
}

class MemoryBus implements Bus {
  private readonly handlers = new TopicHandlers();
  private readonly resyncs = new Listeners();
  private closed = false;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly onError: (error: unknown) => void,
  ) {}

  publish(topic: string, message: unknown): Promise<boolean> {
    if (this.closed || this.broker.dropping) return Promise.resolve(false);
    // Through JSON, as over the wire: a receiver never shares an object with the sender.
    const text = JSON.stringify(message);
    // Asynchronous like a real broker: a publisher never runs its receivers inside its own call.
    queueMicrotask(() => this.broker.deliver(topic, text));
    return Promise.resolve(true);
  }

  subscribe(topic: string, handler: BusHandler): Promise<void> {
    if (!this.closed) this.handlers.add(topic, handler);
    return Promise.resolve();
  }

  unsubscribe(topic: string, handler: BusHandler): void {
    this.handlers.remove(topic, handler);
  }

  onResync(handler: () => void): () => void {
    return this.resyncs.add(handler);
  }

  connected(): boolean {
    return !this.closed && !this.broker.dropping;
  }

  close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    this.broker.remove(this);
    return Promise.resolve();
  }

  receive(topic: string, text: string): void {
    if (this.closed || !this.handlers.has(topic)) return;
    this.handlers.dispatch(topic, JSON.parse(text), this.onError);
  }

  resyncNow(): void {
    if (!this.closed) this.resyncs.emit(this.onError);
  }
}
