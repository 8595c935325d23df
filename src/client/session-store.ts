/**
 * The persisted session: `{token, chatId, lastSeq, outbox}` as JSON under one key. Storage is
 * untrusted and fallible (private mode throws, quotas fill, other scripts write garbage), so
 * reads parse `unknown` and every call is caught; failures are reported, never thrown.
 */
import { isObject } from '../protocol';
import type { KeyValueStorage } from './types';

/** What survives a reload. `token`, `chatId` and `lastSeq` describe one chat and travel together. */
export interface Session {
  token?: string;
  chatId?: string;
  /** The last `seq` of `chatId` this page applied; 0 without a chat. */
  lastSeq: number;
  /**
   * The outbox as stored: parsed by the queues (queues.ts), which the widget loads after the
   * first load; until then it is written back as it was read.
   */
  outbox: readonly unknown[];
}

/** Longest token the server accepts in `login` (parse-request.ts). */
const MAX_TOKEN_CHARS = 512;

/** Reads a stored session; anything malformed yields the parts that are valid. */
export function parseSession(raw: unknown): Session {
  if (!isObject(raw)) return { lastSeq: 0, outbox: [] };
  const outbox = Array.isArray(raw.outbox) ? raw.outbox : [];
  const { token, chatId, lastSeq } = raw;
  const validSession =
    typeof token === 'string' &&
    token !== '' &&
    token.length <= MAX_TOKEN_CHARS &&
    typeof chatId === 'string' &&
    chatId !== '';
  if (!validSession) return { lastSeq: 0, outbox };
  const seq = Number.isSafeInteger(lastSeq) && (lastSeq as number) >= 0 ? (lastSeq as number) : 0;
  return { token, chatId, lastSeq: seq, outbox };
}

export interface SessionStore {
  /**
   * False after a write failed: what storage holds may then be our own stale session rather than
   * another tab's newer one, so it must not be adopted.
   */
  readonly writable: boolean;
  /** The stored session, or an empty one when there is none or it cannot be read. */
  load(): Session;
  save(session: Session): void;
}

/** `onFailure` is called with a description of each failure (the client reports the first as an `error`). */
export function createSessionStore(
  storage: KeyValueStorage,
  key: string,
  onFailure: (message: string, cause?: unknown) => void,
): SessionStore {
  let writable = true;
  return {
    get writable() {
      return writable;
    },
    load() {
      let text: string | null = null;
      try {
        text = storage.getItem(key);
      } catch (error) {
        onFailure('storage unreadable', error);
      }
      let raw: unknown;
      try {
        if (text !== null) raw = JSON.parse(text);
      } catch {
        raw = null;
      }
      if (raw !== undefined && !isObject(raw)) onFailure('stored session malformed');
      return parseSession(raw);
    },
    save({ token, chatId, lastSeq, outbox }) {
      try {
        storage.setItem(key, JSON.stringify({ token, chatId, lastSeq, outbox }));
        writable = true;
      } catch (error) {
        writable = false;
        onFailure('storage unwritable', error);
      }
    },
  };
}
