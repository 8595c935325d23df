/**
 * The browser connection: state machine, backoff, resume from the last `seq`, offline outbox.
 * Knows nothing of Preact or the host page; the api layer wires it to the UI.
 * @module client
 */
export { createChatClient, CLIENT_DEFAULTS, type ChatClient } from './chat-client';
export { systemClock } from './clock';
export { backoffDelay } from './backoff';
export { SafeEmitter } from './safe-emitter';
export { checkName } from './checks';
export { createQueues, type Queues } from './queues';
export type {
  ChatClientEvents,
  ChatClientOptions,
  Clock,
  ConnectionState,
  ConversationLoaded,
  KeyValueStorage,
  Logger,
  OutboxItem,
  QueuesFactory,
  WebSocketFactory,
  WebSocketLike,
} from './types';
// The connection pieces the agent console builds on (one copy: the widget's own).
export { createTransport, type OutgoingRequest, type Transport, type TransportHandlers } from './transport';
export { createTimers, type Timers } from './timers';
export { createPendingRequests, type PendingRequests } from './pending-requests';
