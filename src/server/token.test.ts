import { describe, expect, it } from 'vitest';
import { constantTimeEqual, signToken, verifyToken } from './token';

const secret = Buffer.from('k'.repeat(32));

describe('session tokens', () => {
  it('round-trips the chat id', () => {
    const token = signToken(secret, '0b0f5e7a-1111-4222-8333-444455556666');
    expect(token).toMatch(/^0b0f5e7a-1111-4222-8333-444455556666\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(secret, token)).toBe('0b0f5e7a-1111-4222-8333-444455556666');
  });

  it('refuses another secret, a swapped chat id, truncated or malformed tokens', () => {
    const token = signToken(secret, 'chat-a');
    const mac = token.split('.')[1];
    expect(verifyToken(Buffer.from('other'), token)).toBeUndefined();
    expect(verifyToken(secret, `chat-b.${mac}`)).toBeUndefined();
    expect(verifyToken(secret, token.slice(0, -2))).toBeUndefined();
    expect(verifyToken(secret, 'no-dot')).toBeUndefined();
    expect(verifyToken(secret, `.${mac}`)).toBeUndefined();
    expect(verifyToken(secret, '')).toBeUndefined();
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
