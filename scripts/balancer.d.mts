// Types of scripts/balancer.mjs.

export interface Backend {
  host: string;
  port: number;
}

export interface Balancer {
  readonly port: number;
  /** `http://HOST:PORT` */
  readonly url: string;
  /** Replaces the nodes that new connections go to. */
  setBackends(backends: readonly Backend[]): void;
  /** Closes the listener and every proxied connection. */
  close(): Promise<void>;
}

export function startBalancer(backends: readonly Backend[], options?: { port?: number; host?: string }): Promise<Balancer>;
