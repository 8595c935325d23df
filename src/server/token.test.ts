import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenSigner, constantTimeEqual } from './token';

const secret = Buffer.from('k'.repeat(32));
const old = Buffer.from('o'.repeat(32));
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2025, 0, 1);
const CHAT = '0b0f5e7a-1111-4222-8333-444455556666';

const signer = (current = secret, previous: Buffer[] = [], maxAgeMs = 180 * DAY, now = NOW) =>
  new TokenSigner(current, previous, maxAgeMs, () => now);

describe('session tokens', () => {
  it('round-trips the chat id and the issued-at time', () => {
    const token = signer().sign(CHAT);
    expect(token).toMatch(new RegExp(`^${CHAT}\\.${NOW / 1000}\\.[A-Za-z0-9_-]{43}$`));
    expect(signer().verify(token)).toEqual({ chatId: CHAT, issuedAt: NOW });
  });

  it('refuses another secret, a swapped chat id or time, truncated or malformed tokens', () => {
    const token = signer().sign('chat-a');
    const [, issuedAt, mac] = token.split('.');
    const s = signer();
    expect(signer(Buffer.from('other')).verify(token)).toBeUndefined();
    for (const bad of [
      `chat-b.${issuedAt}.${mac}`,
      `chat-a.${Number(issuedAt) + 1}.${mac}`,
      `chat-a.${issuedAt}.${mac?.slice(0, -2)}`,
      `chat-a.${issuedAt}.`,
      `chat-a.-1.${mac}`,
      `chat-a.1e3.${mac}`,
      `.${issuedAt}.${mac}`,
      `chat-a.${issuedAt}.${mac}.x`,
      'no-dot',
      '',
      '...',
    ]) {
      expect(s.verify(bad), bad).toBeUndefined();
    }
  });

  it('refuses non-canonical spellings of a genuine MAC (the unused low bits of the last character)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let n = 0; n < 20; n += 1) {
      const token = signer().sign(`chat-${n}`);
      const last = alphabet.indexOf(token.slice(-1));
      for (let bits = 1; bits < 4; bits += 1) {
        const respelled = token.slice(0, -1) + alphabet.charAt(last ^ bits);
        expect(Buffer.from(respelled.split('.')[2] ?? '', 'base64url')).toEqual(Buffer.from(token.split('.')[2] ?? '', 'base64url'));
        expect(signer().verify(respelled), respelled).toBeUndefined();
      }
    }
  });

  it('accepts tokens of a previous secret and signs new ones with the current secret (rotation)', () => {
    const before = signer(old).sign(CHAT);
    const rotated = signer(secret, [old]);
    expect(rotated.verify(before)).toEqual({ chatId: CHAT, issuedAt: NOW });
    const fresh = rotated.sign(CHAT);
    expect(signer(secret).verify(fresh)).toEqual({ chatId: CHAT, issuedAt: NOW });
    expect(signer(old).verify(fresh)).toBeUndefined();
    // Once the old secret is dropped from the previous list, its tokens stop working.
    expect(signer(secret).verify(before)).toBeUndefined();
  });

  it('refuses tokens past the maximum age and from more than a day in the future', () => {
    const s = signer(secret, [], 10 * DAY);
    expect(s.verify(s.sign(CHAT, NOW - 10 * DAY))).toEqual({ chatId: CHAT, issuedAt: NOW - 10 * DAY });
    expect(s.verify(s.sign(CHAT, NOW - 10 * DAY - 1000))).toBeUndefined();
    expect(s.verify(s.sign(CHAT, NOW + DAY))).toEqual({ chatId: CHAT, issuedAt: NOW + DAY });
    expect(s.verify(s.sign(CHAT, NOW + DAY + 1000))).toBeUndefined();
  });

  it('verifies a pre-v1 token (chatId.mac) without an issued-at, with any known secret', () => {
    const legacy = (key: Buffer) => `${CHAT}.${createHmac('sha256', key).update(CHAT).digest('base64url')}`;
    expect(signer(secret, [old]).verify(legacy(old))).toEqual({ chatId: CHAT, issuedAt: undefined });
    expect(signer(secret).verify(legacy(old))).toBeUndefined();
    expect(signer().isFresh(NOW - 180 * DAY)).toBe(true);
    expect(signer().isFresh(NOW - 180 * DAY - 1)).toBe(false);
  });

  it('refuses an empty current secret and ignores empty previous ones', () => {
    expect(() => new TokenSigner(Buffer.alloc(0))).toThrow(new TypeError('the token secret must not be empty'));
    const s = signer(secret, [Buffer.alloc(0)]);
    const forgedWithEmpty = `${CHAT}.${createHmac('sha256', Buffer.alloc(0)).update(CHAT).digest('base64url')}`;
    expect(s.verify(forgedWithEmpty)).toBeUndefined();
  });
});

describe('constantTimeEqual', () => {
  it('compares strings of any length', () => {
    expect(constantTimeEqual('a-long-secret', 'a-long-secret')).toBe(true);
    expect(constantTimeEqual('a-long-secret', 'a-long-secreT')).toBe(false);
    expect(constantTimeEqual('a-long-secret', 'a')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
