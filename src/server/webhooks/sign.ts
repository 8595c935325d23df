/**
 * Webhook signatures (docs/agent-api.md#webhooks): `X-Roundel-Signature: sha256=<lowercase hex
 * HMAC-SHA256 of the raw body, keyed with the hook's secret>`, as GitHub signs its webhooks.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature. */
export const SIGNATURE_HEADER = 'X-Roundel-Signature';

/** The header value for `body` (the exact bytes sent) under `secret`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * Whether `header` is the signature of `body` under `secret`, compared in constant time: what a
 * receiver does before trusting a delivery.
 */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
