/**
 * Verified visitors (docs/protocol.md, "Verified visitors"): the site's backend vouches for a
 * logged-in user with `hash = hex(HMAC-SHA256(identitySecret, id))`. Checked before anything of
 * the user's chat is read, in constant time, so a forged identity learns nothing, not even
 * whether the id has a chat.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VisitorIdentity } from '../../protocol';
import type { Endpoint } from '../endpoints';

/** Why an identity was refused, for the log and the widget's `debug` output (no secret in it). */
export type IdentityRefusal = 'no identity secret' | 'hash mismatch';

/** Undefined when `identity` verifies against the endpoint's secret; else why not. */
export function refuseIdentity(endpoint: Endpoint, identity: VisitorIdentity): IdentityRefusal | undefined {
  const secret = endpoint.identitySecret;
  if (secret === undefined) return 'no identity secret';
  const expected = createHmac('sha256', secret).update(identity.id).digest();
  // The parser guarantees 64 hex characters, so both sides are 32 bytes.
  const given = Buffer.from(identity.hash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'hash mismatch';
}
