/**
 * Who may log in to the agent side: the `agents` of each endpoint (docs/agent-api.md). An agent
 * logs in once per organization and sees the chats of every endpoint of that organization that
 * lists its key.
 */
import type { AgentIdentity } from '../../protocol';
import { constantTimeEqual } from '../token';

/** One configured agent (its `key` already resolved from `env:NAME`). */
export interface AgentAccount {
  id: string;
  name: string;
  key: string;
}

/** What the agent side needs of an endpoint (structurally, a configured Endpoint). */
export interface AgentEndpoint {
  organization: string;
  endpoint: string;
  agents: readonly AgentAccount[];
}

/** A logged-in agent: who, and the endpoints whose chats it sees. */
export interface AgentLogin {
  agent: AgentIdentity;
  endpoints: ReadonlySet<string>;
}

export class AgentDirectory {
  constructor(private readonly endpoints: () => Iterable<AgentEndpoint>) {}

  /** Whether `organization` has any endpoint (the upgrade is refused with 404 otherwise). */
  hasOrganization(organization: string): boolean {
    for (const endpoint of this.endpoints()) if (endpoint.organization === organization) return true;
    return false;
  }

  /**
   * The agent whose key is `key` in `organization`. Every configured key of the organization is
   * compared, in constant time, so the answer's timing does not tell which part matched.
   */
  authenticate(organization: string, key: string): AgentLogin | undefined {
    let agent: AgentIdentity | undefined;
    const endpoints = new Set<string>();
    for (const endpoint of this.endpoints()) {
      if (endpoint.organization !== organization) continue;
      for (const account of endpoint.agents) {
        const match = constantTimeEqual(account.key, key);
        if (!match || (agent !== undefined && agent.id !== account.id)) continue;
        agent ??= { id: account.id, name: account.name };
        endpoints.add(endpoint.endpoint);
      }
    }
    return agent === undefined ? undefined : { agent, endpoints };
  }

  /** The agent `id` as configured for `endpoint`, if it is. */
  find(endpoint: string, id: string): AgentIdentity | undefined {
    for (const candidate of this.endpoints()) {
      if (candidate.endpoint !== endpoint) continue;
      const account = candidate.agents.find((a) => a.id === id);
      if (account) return { id: account.id, name: account.name };
    }
    return undefined;
  }
}
