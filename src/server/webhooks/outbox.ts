/**
 * Turns an agent-side push into webhook deliveries (docs/agent-api.md#webhooks): one row per
 * configured hook that lists the action, with the exact body that will be signed and POSTed:
 * `{ webhook_id, action, organization, endpoint, payload, created_at }`.
 */
import { randomUUID } from 'node:crypto';
import type { AgentPush } from '../../protocol';
import type { NewDelivery } from '../store/agents-types';

/** A hook as configured for an endpoint (`webhooks: [{ url, secret, actions }]`). */
export interface WebhookConfig {
  url: string;
  /** Resolved (an `env:NAME` already read). */
  secret: string;
  actions: readonly string[];
}

export interface WebhookSource {
  organization: string;
  endpoint: string;
  hooks: readonly WebhookConfig[];
}

/** The queue key of a hook: its deliveries go out in order per chat. */
export const hookKey = (endpoint: string, url: string): string => `${endpoint} ${url}`;

/** The chat a push belongs to (its queue), or `''` for pushes of no chat. */
export function pushChatId(push: AgentPush): string {
  const payload = push.payload as { chat_id?: unknown; customer_id?: unknown; chat?: { id?: unknown } };
  if (typeof payload.chat_id === 'string') return payload.chat_id;
  if (typeof payload.customer_id === 'string') return payload.customer_id;
  if (typeof payload.chat?.id === 'string') return payload.chat.id;
  return '';
}

/** The deliveries `push` makes for `source`'s hooks (none when no hook lists its action). */
export function deliveriesFor(source: WebhookSource, push: AgentPush, createdAt: Date, newId: () => string = randomUUID): NewDelivery[] {
  const chatId = pushChatId(push);
  return source.hooks
    .filter((hook) => hook.actions.includes(push.action))
    .map((hook) => {
      const webhookId = newId();
      const body = JSON.stringify({
        webhook_id: webhookId,
        action: push.action,
        organization: source.organization,
        endpoint: source.endpoint,
        payload: push.payload,
        created_at: createdAt.toISOString(),
      });
      return { webhookId, hook: hookKey(source.endpoint, hook.url), endpoint: source.endpoint, url: hook.url, chatId, action: push.action, body };
    });
}
