/**
 * Session tokens and secret comparison. A token is `chatId + "." + base64url(HMAC-SHA256(secret, chatId))`:
 * the server keeps no session table, and a token for one dialog cannot be turned into another's.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

function mac(secret: Uint8Array, chatId: string): Buffer {
  return createHmac('sha256', secret).update(chatId).digest();
}

/** The token that lets a client resume dialog `chatId`. */
export function signToken(secret: Uint8Array, chatId: string): string {
  return `${chatId}.${mac(secret, chatId).toString('base64url')}`;
}

/** The chatId a token was signed for, or undefined when the token is malformed or forged. */
export function verifyToken(secret: Uint8Array, token: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const chatId = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, chatId);
  if (given.length !== expected.length) return undefined;
  return timingSafeEqual(given, expected) ? chatId : undefined;
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
