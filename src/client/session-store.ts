/**
 * The persisted session: `{token, chatId, lastSeq, outbox}` as JSON under one key. Storage is
 * untrusted and fallible (private mode throws, quotas fill, other scripts write garbage), so
 * reads parse `unknown` and every call is caught; failures are reported, never thrown.
 */
import { isObject } from '../protocol';
import { parseOutbox } from './outbox-items';
import type { KeyValueStorage, OutboxItem } from './types';

/** What survives a reload. `token`, `chatId` and `lastSeq` describe one dialog and travel together. */
export interface Session {
  token?: string;
  chatId?: string;
  /** The last `seq` of `chatId` this page applied; 0 without a dialog. */
  lastSeq: number;
  outbox: OutboxItem[];
}

/** Longest token the server accepts in `login` (parse-request.ts). */
const MAX_TOKEN_CHARS = 512;

/** Reads a stored session; anything malformed yields the parts that are valid. */
export function parseSession(raw: unknown): Session {
  if (!isObject(raw)) return { lastSeq: 0, outbox: [] };
  const outbox = parseOutbox(raw.outbox);
  const { token, chatId, lastSeq } = raw;
  const validDialog =
    typeof token === 'string' &&
    token !== '' &&
    token.length <= MAX_TOKEN_CHARS &&
    typeof chatId === 'string' &&
    chatId !== '';
  if (!validDialog) return { lastSeq: 0, outbox };
  const seq = typeof lastSeq === 'number' && Number.isSafeInteger(lastSeq) && lastSeq >= 0 ? lastSeq : 0;
  return { token, chatId, lastSeq: seq, outbox };
}

export class SessionStore {
  private lastWriteOk = true;

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly key: string,
    /** Called with a description of each failure (the client reports the first as an `error`). */
    private readonly onFailure: (message: string, cause?: unknown) => void,
  ) {}

  /**
   * False after a write failed: what storage holds may then be our own stale session rather than
   * another tab's newer one, so it must not be adopted.
   */
  get writable(): boolean {
    return this.lastWriteOk;
  }

  /** The stored session, or an empty one when there is none or it cannot be read. */
  load(): Session {
    let text: string | null;
    try {
      text = this.storage.getItem(this.key);
    } catch (error) {
      this.onFailure('storage cannot be read; the session lives in memory only', error);
      return { lastSeq: 0, outbox: [] };
    }
    if (text === null) return { lastSeq: 0, outbox: [] };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      this.onFailure('stored session is not valid JSON; starting without it', error);
      return { lastSeq: 0, outbox: [] };
    }
    if (!isObject(raw)) this.onFailure('stored session is not an object; starting without it');
    return parseSession(raw);
  }

  save(session: Session): void {
    const value: Session = {
      token: session.token,
      chatId: session.chatId,
      lastSeq: session.lastSeq,
      outbox: session.outbox,
    };
    try {
      this.storage.setItem(this.key, JSON.stringify(value));
      this.lastWriteOk = true;
    } catch (error) {
      this.lastWriteOk = false;
      this.onFailure('storage cannot be written; the session lives in memory only', error);
    }
  }
}
