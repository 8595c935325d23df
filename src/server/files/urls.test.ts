import { describe, expect, it } from 'vitest';
import { FileUrlSigner } from './urls';

const HOUR = 3600_000;

function parts(url: string): { id: string; expires: string | null; signature: string | null } {
  const parsed = new URL(url);
  return { id: decodeURIComponent(parsed.pathname.split('/').pop() ?? ''), expires: parsed.searchParams.get('expires'), signature: parsed.searchParams.get('signature') };
}

describe('FileUrlSigner', () => {
  let now = Date.parse('2026-12-03T12:00:00Z');
  const signer = new FileUrlSigner([Buffer.from('secret-one-0123456789')], HOUR, () => now);

  it('signs a URL under the public URL that checks out until it expires, then no longer', () => {
    const url = signer.url('https://chat.example.com', 'f-1');
    expect(url).toMatch(/^https:\/\/chat\.example\.com\/files\/f-1\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/);
    const { id, expires, signature } = parts(url);
    expect(signer.check(id, expires, signature)).toBe('valid');
    expect(Number(expires) * 1000 - now).toBe(HOUR);
    now += HOUR - 1000;
    expect(signer.check(id, expires, signature)).toBe('valid');
    now += 1000;
    expect(signer.check(id, expires, signature)).toBe('expired');
    now -= HOUR;
  });

  it('refuses another file, a changed expiry, a changed or non-canonical signature, and missing parts', () => {
    const { id, expires, signature } = parts(signer.url('https://chat.example.com', 'f-1'));
    expect(signer.check('f-2', expires, signature)).toBe('invalid');
    expect(signer.check(id, String(Number(expires) + 3600), signature)).toBe('invalid');
    const flipped = `${signature!.slice(0, -2)}${signature!.at(-2) === 'A' ? 'B' : 'A'}${signature!.at(-1)}`;
    expect(signer.check(id, expires, flipped)).toBe('invalid');
    // The same bytes spelt with the unused low bits set.
    const last = signature!.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(signer.check(id, expires, `${signature!.slice(0, -1)}${sibling}`)).toBe('invalid');
    expect(signer.check(id, null, signature)).toBe('invalid');
    expect(signer.check(id, expires, null)).toBe('invalid');
    expect(signer.check(id, '-1', signature)).toBe('invalid');
  });

  it('keeps URLs signed with a previous secret valid after a rotation, and not those of an unknown one', () => {
    const old = new FileUrlSigner([Buffer.from('old-secret-0123456789')], HOUR, () => now);
    const rotated = new FileUrlSigner([Buffer.from('secret-one-0123456789'), Buffer.from('old-secret-0123456789')], HOUR, () => now);
    const { id, expires, signature } = parts(old.url('https://chat.example.com', 'f-9'));
    expect(rotated.check(id, expires, signature)).toBe('valid');
    expect(signer.check(id, expires, signature)).toBe('invalid');
  });

  it('refuses an empty secret', () => {
    expect(() => new FileUrlSigner([new Uint8Array()], HOUR)).toThrow(TypeError);
  });
});
