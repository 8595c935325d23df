/**
 * The logged-in agent connections of this process, by endpoint: the fan-out of agent pushes
 * ("to every logged-in agent of the endpoint") and the `present` flag of agent users.
 */
import type { AgentIdentity, AgentPush } from '../../protocol';

/** A logged-in agent connection. `push` must not throw. */
export interface AgentSink {
  readonly agent: AgentIdentity;
  readonly endpoints: ReadonlySet<string>;
  push(push: AgentPush): void;
}

export class AgentPresence {
  private readonly sinks = new Set<AgentSink>();

  /** @param changed called with the number of distinct agents online after each change */
  constructor(private readonly changed: (online: number) => void = () => {}) {}

  add(sink: AgentSink): void {
    this.sinks.add(sink);
    this.changed(this.online);
  }

  remove(sink: AgentSink): void {
    if (this.sinks.delete(sink)) this.changed(this.online);
  }

  /** Sends `push` to every connection that sees `endpoint`. */
  broadcast(endpoint: string, push: AgentPush): void {
    // A copy: a push may close a slow connection, which removes it mid-loop.
    for (const sink of [...this.sinks]) if (sink.endpoints.has(endpoint)) sink.push(push);
  }

  /** Whether agent `id` has a connection that sees `endpoint`. */
  isOnline(endpoint: string, id: string): boolean {
    for (const sink of this.sinks) if (sink.agent.id === id && sink.endpoints.has(endpoint)) return true;
    return false;
  }

  /** Distinct agents online (the `/metrics` gauge). */
  get online(): number {
    return new Set([...this.sinks].map((sink) => sink.agent.id)).size;
  }

  get size(): number {
    return this.sinks.size;
  }
}
