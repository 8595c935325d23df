/**
 * A verified visitor (the widget's `user` option, the login's `user`): `hash` is the lowercase
 * hex HMAC-SHA256 of `id` keyed with the endpoint's identity secret, computed by the site's
 * backend. Parsed the same way in the browser (a TypeError naming the option) and on the server
 * (a `validation` error naming the field).
 */
import { fail, isObject, ok, type Result } from './result';

export interface VisitorIdentity {
  /** 1-128 characters. */
  id: string;
  /** 64 lowercase hex characters. */
  hash: string;
  /** At most 200 characters. */
  name?: string;
  /** At most 254 characters. */
  email?: string;
}

export const USER_ID_CHARS = 128;
const HASH = /^[0-9a-f]{64}$/;

/** Reads `value` as a visitor identity; errors name the field under `path` (`user.hash must …`). */
export function parseVisitorIdentity(value: unknown, path: string): Result<VisitorIdentity> {
  if (!isObject(value)) return fail(`${path} must be an object { id, hash, name?, email? }`);
  const { id, hash, name, email } = value;
  if (typeof id !== 'string' || id.length === 0 || id.length > USER_ID_CHARS) {
    return fail(`${path}.id must be a string of 1-${USER_ID_CHARS} characters`);
  }
  if (typeof hash !== 'string' || !HASH.test(hash)) return fail(`${path}.hash must be 64 lowercase hex characters`);
  if (name !== undefined && (typeof name !== 'string' || name.length > 200)) {
    return fail(`${path}.name must be a string of at most 200 characters`);
  }
  if (email !== undefined && (typeof email !== 'string' || email.length > 254)) {
    return fail(`${path}.email must be a string of at most 254 characters`);
  }
  return ok({ id, hash, ...(name === undefined ? {} : { name }), ...(email === undefined ? {} : { email }) });
}
