/**
 * Session tokens and secret comparison (docs/security.md).
 *
 * A token is `chatId "." issuedAt "." base64url(HMAC-SHA256(secret, "roundel.v1." chatId "." issuedAt))`,
 * `issuedAt` in whole seconds since the epoch. The server keeps no session table: a token for one
 * chat cannot be turned into another's, and nobody without the secret can make one.
 *
 * Rotation: tokens are signed with the current secret and accepted when signed with the current
 * or any previous secret; every login hands out a fresh token, so visitors move to the new
 * secret as they come back. Tokens older than the maximum age are refused.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** One day in milliseconds. */
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Default maximum token age: 180 days. Every login renews the token, so only idle visitors lose theirs. */
export const DEFAULT_TOKEN_MAX_AGE_DAYS = 180;
/** A token issued further in the future than this (a clock that jumped) is refused. */
const FUTURE_SKEW_MS = DAY_MS;
const V1_PREFIX = 'roundel.v1.';
const ISSUED_AT = /^\d{1,12}$/;

/** A token that verified: its chat, and when it was issued (undefined for a pre-v1 token). */
export interface VerifiedToken {
  chatId: string;
  /** Milliseconds since the epoch; undefined for a token without issued-at (pre-v1, `chatId.mac`). */
  issuedAt: number | undefined;
}

function mac(secret: Uint8Array, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/**
 * True when `given` is a MAC of `data` under any of `secrets`. Every secret is tried, in constant
 * time. Only the canonical encoding counts: base64url's last character carries 2 unused bits, and
 * a decoder that ignores them would accept four spellings of every token.
 */
function signedByAny(secrets: readonly Uint8Array[], data: string, given: string): boolean {
  const bytes = Buffer.from(given, 'base64url');
  if (bytes.toString('base64url') !== given) return false;
  let found = false;
  for (const secret of secrets) {
    const expected = mac(secret, data);
    if (bytes.length === expected.length && timingSafeEqual(bytes, expected)) found = true;
  }
  return found;
}

/** Signs and verifies session tokens with a current secret and any number of previous ones. */
export class TokenSigner {
  private readonly secrets: readonly Uint8Array[];

  /**
   * @param current signs new tokens
   * @param previous still verify (rotation); default none
   * @param maxAgeMs tokens older than this are refused; default 180 days
   * @param now clock, for tests
   */
  constructor(
    current: Uint8Array,
    previous: readonly Uint8Array[] = [],
    readonly maxAgeMs: number = DEFAULT_TOKEN_MAX_AGE_DAYS * DAY_MS,
    private readonly now: () => number = Date.now,
  ) {
    if (current.length === 0) throw new TypeError('the token secret must not be empty');
    this.secrets = [current, ...previous.filter((secret) => secret.length > 0)];
  }

  /** A fresh token for chat `chatId`, signed with the current secret. */
  sign(chatId: string, issuedAtMs: number = this.now()): string {
    const issuedAt = String(Math.floor(issuedAtMs / 1000));
    const current = this.secrets[0] as Uint8Array;
    return `${chatId}.${issuedAt}.${mac(current, `${V1_PREFIX}${chatId}.${issuedAt}`).toString('base64url')}`;
  }

  /**
   * The token's chat when the token is genuine (signed with the current or a previous secret)
   * and not too old; undefined otherwise. A pre-v1 token (`chatId.mac`, no issued-at) verifies
   * with `issuedAt` undefined: the caller ages it by its chat's creation time ({@link isFresh}).
   */
  verify(token: string): VerifiedToken | undefined {
    const parts = token.split('.');
    if (parts.length === 2) {
      const [chatId = '', given = ''] = parts;
      return chatId !== '' && signedByAny(this.secrets, chatId, given) ? { chatId, issuedAt: undefined } : undefined;
    }
    if (parts.length !== 3) return undefined;
    const [chatId = '', issuedAt = '', given = ''] = parts;
    if (chatId === '' || !ISSUED_AT.test(issuedAt)) return undefined;
    if (!signedByAny(this.secrets, `${V1_PREFIX}${chatId}.${issuedAt}`, given)) return undefined;
    const issuedAtMs = Number(issuedAt) * 1000;
    return this.isFresh(issuedAtMs) ? { chatId, issuedAt: issuedAtMs } : undefined;
  }

  /** Whether something issued at `issuedAtMs` is within the maximum age (and not from the future). */
  isFresh(issuedAtMs: number): boolean {
    const now = this.now();
    return Number.isFinite(issuedAtMs) && issuedAtMs <= now + FUTURE_SKEW_MS && now - issuedAtMs <= this.maxAgeMs;
  }
}

/**
 * Compares two secrets in constant time. Hashing first gives equal-length inputs, so neither
 * the content nor the length of the expected value leaks through timing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
