/**
 * Idempotency records (docs/http-api.md, "Idempotency"): the first successful answer to a request
 * that carried an `Idempotency-Key`, kept 24 hours so that a retry gets it again and raises
 * nothing new. Every engine provides one (`Store.idempotency`); it holds no secrets (API keys are
 * hashed into the scope by the caller).
 */

/** A stored answer, replayed byte for byte. */
export interface IdempotentAnswer {
  status: number;
  /** Response headers worth replaying (`Location`), without the per-request ones. */
  headers: Record<string, string>;
  /** The JSON body text. */
  body: string;
}

/** What {@link IdempotencyStore.claim} found. */
export type ClaimResult =
  /** Nobody had the key: the caller does the work, then {@link IdempotencyStore.complete}s or {@link IdempotencyStore.release}s. */
  | { status: 'claimed' }
  /** The key was answered before (within its lifetime): replay this. */
  | { status: 'done'; answer: IdempotentAnswer }
  /** Another request with the key is still being answered. */
  | { status: 'in_progress' };

export interface IdempotencyStore {
  /**
   * Claims `(scope, key)` for a request. A claim left unfinished for longer than `staleMs` (its
   * node died) is taken over; an answer older than its lifetime counts as absent.
   */
  claim(scope: string, key: string, now: Date, staleMs: number): Promise<ClaimResult>;
  /** Stores the answer of a claimed key, kept until `expiresAt`; `chatId` ties it to a chat (erased with it). */
  complete(scope: string, key: string, answer: IdempotentAnswer, expiresAt: Date, chatId?: string): Promise<void>;
  /** Gives up a claim (the request failed): a retry does the work again. */
  release(scope: string, key: string): Promise<void>;
  /** Drops expired answers and stale claims. */
  trim(now: Date, staleMs: number): Promise<void>;
}

/** How long an answer is replayed: 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim older than this was left by a request that died with its node; a retry takes it over. */
export const IDEMPOTENCY_STALE_MS = 60 * 1000;

/**
 * The stored answer of an `idempotency` row, as both engines read it: `headers` is JSON text
 * written by us, but read from storage as `unknown`, so anything but string values is dropped.
 */
export function answerFromRow(row: Record<string, unknown>): IdempotentAnswer {
  let headers: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(String(row.headers ?? '{}'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      headers = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    headers = {};
  }
  return { status: Number(row.status), headers, body: String(row.body ?? '') };
}
