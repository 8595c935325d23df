/**
 * What the agent side needs of the chat model: read a chat and its current thread, store a push
 * in the chat's log (same `seq`, same guarantees as the bot's), close the thread, and send an
 * ephemeral push to the visitor's tabs. chat-port.ts implements it over the chat service.
 */
import type { Push, StoredPush } from '../../protocol';
import type { PushBuilder } from '../store/types';

export interface ChatInfo {
  /** The chat's id (also the visitor's `customer_id`). */
  id: string;
  endpoint: string;
  organization: string;
  /** The current thread. */
  threadId: string;
  threadCreatedAt: string;
  /** The chat's `lastSeq` when the current thread began (its pushes have `seq > threadStartSeq`). */
  threadStartSeq: number;
  /** False once the thread was closed. */
  active: boolean;
  /** A verified visitor's identity. */
  user?: { id: string; name?: string; email?: string };
}

export interface ChatPort {
  chat(chatId: string): Promise<ChatInfo | undefined>;
  /** The current thread's stored pushes, oldest first (at most the newest `limit`). */
  history(chatId: string, limit: number): Promise<StoredPush[]>;
  /** Stores a push in the chat's log and publishes it to the visitor's tabs. */
  append(chatId: string, build: PushBuilder): Promise<StoredPush>;
  /** Closes the current thread (the visitor's tabs get `thread_closed`); false if it was closed. */
  closeThread(chatId: string): Promise<boolean>;
  /** An ephemeral push (an agent's typing) to the visitor's tabs. */
  ephemeral(chatId: string, push: Push): void;
}
