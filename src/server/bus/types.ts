/**
 * A bus carries live messages between the nodes of one Roundel service. It is fire-and-forget:
 * a message published while the broker is unreachable, or while a node was reconnecting, is
 * lost for that node. Nothing may depend on it for correctness: the database is the truth, and
 * {@link Bus.onResync} tells a node when to catch up from it (docs/scaling.md).
 */

/** Receives one message of a topic, as decoded from the wire (`unknown`: parse it). */
export type BusHandler = (message: unknown) => void;

export interface Bus {
  /**
   * Sends a JSON-serialisable message to every subscriber of `topic` on every node, this one
   * included. Resolves false when the broker did not take it (unreachable); never rejects.
   */
  publish(topic: string, message: unknown): Promise<boolean>;
  /** Adds a handler of `topic`. Resolves once the broker confirmed the subscription (or it is queued until reconnect). */
  subscribe(topic: string, handler: BusHandler): Promise<void>;
  /** Removes a handler; the topic is left at the broker when its last handler goes. */
  unsubscribe(topic: string, handler: BusHandler): void;
  /** `handler` runs whenever messages may have been missed (the broker connection came back). Returns an unsubscribe function. */
  onResync(handler: () => void): () => void;
  /** False while the broker is unreachable. */
  connected(): boolean;
  /** Disconnects; later publishes resolve false. Idempotent. */
  close(): Promise<void>;
}
