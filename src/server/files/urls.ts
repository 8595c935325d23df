/**
 * Signed file URLs: `{publicUrl}/files/{id}?expires={unix seconds}&signature={mac}`, where the
 * mac is base64url(HMAC-SHA256(key, "roundel.file.v1." id "." expires)). The key is derived from
 * the session-token secret (its own label, so a file signature can never pass as a token); the
 * server keeps no table of links. Anyone holding the URL may fetch the file until it expires:
 * it is what the bot gets in `onFile`, and what the widget's images and links point at.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const LABEL = 'roundel.file.v1.';
const EXPIRES = /^\d{1,12}$/;

export type UrlCheck = 'valid' | 'expired' | 'invalid';

export class FileUrlSigner {
  private readonly keys: readonly Buffer[];

  /**
   * @param secrets the current token secret first, then previous ones (rotation); each derives a key
   * @param ttlMs lifetime of a new URL
   * @param now clock (tests)
   */
  constructor(
    secrets: readonly Uint8Array[],
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (secrets.length === 0 || (secrets[0] as Uint8Array).length === 0) throw new TypeError('the file URL secret must not be empty');
    this.keys = secrets.map((secret) => createHmac('sha256', secret).update('roundel file urls').digest());
  }

  private mac(key: Buffer, fileId: string, expires: string): Buffer {
    return createHmac('sha256', key).update(`${LABEL}${fileId}.${expires}`).digest();
  }

  /** The query of a URL for `fileId` valid for {@link ttlMs} from now: `expires=…&signature=…`. */
  query(fileId: string): string {
    const expires = String(Math.ceil((this.now() + this.ttlMs) / 1000));
    return `expires=${expires}&signature=${this.mac(this.keys[0] as Buffer, fileId, expires).toString('base64url')}`;
  }

  /** The absolute URL of `fileId` under `publicUrl` (no trailing slash). */
  url(publicUrl: string, fileId: string): string {
    return `${publicUrl}/files/${encodeURIComponent(fileId)}?${this.query(fileId)}`;
  }

  /** Whether `expires` and `signature` (from a URL's query) grant `fileId` now. Constant time in the signature. */
  check(fileId: string, expires: string | null, signature: string | null): UrlCheck {
    if (expires === null || signature === null || !EXPIRES.test(expires)) return 'invalid';
    const given = Buffer.from(signature, 'base64url');
    // Only the canonical spelling: base64url's last character has unused bits.
    if (given.toString('base64url') !== signature) return 'invalid';
    let genuine = false;
    for (const key of this.keys) {
      const expected = this.mac(key, fileId, expires);
      if (given.length === expected.length && timingSafeEqual(given, expected)) genuine = true;
    }
    if (!genuine) return 'invalid';
    return Number(expires) * 1000 > this.now() ? 'valid' : 'expired';
  }
}
