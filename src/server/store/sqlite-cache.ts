/**
 * The SQLite engine's read caches: chats (with their current thread) and pushbacks, the two
 * records every activation and every bot turn would otherwise read back and re-parse. Only this
 * process writes the database, and every write goes through the engine, so the engine keeps the
 * caches exact: a write job updates or drops the entries it touched, and a batch whose commit
 * failed drops everything (its jobs' updates never became true).
 *
 * Cached records are frozen: callers share them, so none may change one by accident.
 */
import type { JsonObject } from '../../protocol';
import { BoundedMap } from './bounded-map';
import type { ChatRecord, PushbackRecord } from './types';

/** Chats and pushbacks kept, each; the hot working set of a busy server, a few MiB. */
const MAX_ENTRIES = 20_000;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export class SqliteCaches {
  private readonly chats = new BoundedMap<string, ChatRecord>(MAX_ENTRIES);
  /** `null`: known not to exist (or deleted), so a guessed id costs no query either. */
  private readonly pushbacks = new BoundedMap<string, PushbackRecord | null>(MAX_ENTRIES);

  chat(id: string, load: () => ChatRecord | undefined): ChatRecord | undefined {
    const cached = this.chats.get(id);
    if (cached) return cached;
    const loaded = load();
    if (loaded) this.chats.set(id, deepFreeze(loaded));
    return loaded;
  }

  /** A chat as a write left it (created, or read back inside the write's transaction). */
  putChat(chat: ChatRecord): ChatRecord {
    this.chats.set(chat.id, deepFreeze(chat));
    return chat;
  }

  dropChat(id: string): void {
    this.chats.delete(id);
  }

  /** An append moved the chat's last seq. */
  seqMoved(id: string, lastSeq: number): void {
    this.chats.replace(id, (cached) => Object.freeze({ ...cached, lastSeq }));
  }

  /** A turn stored the bot's state and/or the chat's last external event. */
  turnStored(id: string, state: JsonObject | undefined, lastRequest: JsonObject | undefined): void {
    const cached = this.chats.get(id);
    if (!cached || (state === undefined && lastRequest === undefined)) return;
    this.chats.set(
      id,
      deepFreeze({ ...cached, ...(state === undefined ? {} : { state }), ...(lastRequest === undefined ? {} : { lastRequest }) }),
    );
  }

  pushback(id: string, load: () => PushbackRecord | undefined): PushbackRecord | undefined {
    const cached = this.pushbacks.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const loaded = load();
    this.pushbacks.set(id, loaded ? deepFreeze(loaded) : null);
    return loaded;
  }

  putPushback(record: PushbackRecord): void {
    this.pushbacks.set(record.id, deepFreeze({ ...record }));
  }

  dropPushback(id: string): void {
    this.pushbacks.delete(id);
  }

  /** A batch failed: what its jobs cached may never have been stored. */
  clear(): void {
    this.chats.clear();
    this.pushbacks.clear();
  }
}
