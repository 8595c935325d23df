/**
 * Turns an agent-side push into webhook deliveries (docs/agent-api.md#webhooks): one row per
 * configured hook that lists the action, with the exact body that will be signed and POSTed:
 * `{ webhook_id, action, organization, endpoint, payload, created_at }`.
 */
import { createHash, randomUUID } from 'node:crypto';
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

/** Where a push comes from in its chat's committed history (agents-types.ts, WebhookCursor). */
export interface PushOrigin {
  chatId: string;
  position: number;
}

/**
 * The `webhook_id` of the delivery of `action` to `hook` made by the committed `origin`: the
 * same every time that origin is translated again (after a crash, docs/agent-api.md#webhooks),
 * so the outbox stores it once and a receiver drops repeats by it. A UUID-shaped SHA-256 prefix.
 */
export function originWebhookId(hook: string, origin: PushOrigin, action: string): string {
  const hex = createHash('sha256').update(JSON.stringify([hook, origin.chatId, origin.position, action])).digest('hex');
  // Version 8 (custom) and the RFC 9562 variant, so it reads as a UUID like the random ones.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The deliveries `push` makes for `source`'s hooks (none when no hook lists its action). Their
 * ids derive from `origin` when the push comes from committed history, else they are random.
 */
export function deliveriesFor(source: WebhookSource, push: AgentPush, createdAt: Date, origin?: PushOrigin | (() => string)): NewDelivery[] {
  const chatId = pushChatId(push);
  return source.hooks
    .filter((hook) => hook.actions.includes(push.action))
    .map((hook) => {
      const key = hookKey(source.endpoint, hook.url);
      const webhookId = origin === undefined ? randomUUID() : typeof origin === 'function' ? origin() : originWebhookId(key, origin, push.action);
      const body = JSON.stringify({
        webhook_id: webhookId,
        action: push.action,
        organization: source.organization,
        endpoint: source.endpoint,
        payload: push.payload,
        created_at: createdAt.toISOString(),
      });
      return { webhookId, hook: key, endpoint: source.endpoint, url: hook.url, chatId, action: push.action, body };
    });
}
