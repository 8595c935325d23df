import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, normalizeAddress, trustedProxySet } from './client-ip';

const request = (remoteAddress: string | undefined, forwardedFor?: string | string[]) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('addressKey', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2::ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::ffff:1:2:3:4.5.6.7')).toBe('0:0:ffff:1::/64');
    expect(addressKey('')).toBe('unknown');
    expect(addressKey('x'.repeat(100))).toBe('x'.repeat(64));
  });

  it('normalises case, zones and IPv4-mapped addresses', () => {
    expect(normalizeAddress(' ::FFFF:10.0.0.1 ')).toBe('10.0.0.1');
    expect(normalizeAddress('FE80::1%25eth0')).toBe('fe80::1');
  });
});

describe('clientAddress', () => {
  const proxies = trustedProxySet(['127.0.0.1', '::1', '10.0.0.2']);

  it('is the peer unless the peer is a trusted proxy', () => {
    expect(clientAddress(request('198.51.100.1', '203.0.113.9'), proxies)).toBe('198.51.100.1');
    expect(clientAddress(request('::ffff:127.0.0.1', '203.0.113.9'), proxies)).toBe('203.0.113.9');
    expect(clientAddress(request(undefined), proxies)).toBe('');
  });

  it('takes the rightmost forwarded address that is not a trusted proxy; a forged left part is ignored', () => {
    expect(clientAddress(request('127.0.0.1', '1.1.1.1, 203.0.113.9, 10.0.0.2'), proxies)).toBe('203.0.113.9');
    expect(clientAddress(request('127.0.0.1', ['1.1.1.1', '203.0.113.9']), proxies)).toBe('203.0.113.9');
    expect(clientAddress(request('127.0.0.1', 'garbage'), proxies)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', '10.0.0.2'), proxies)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1'), proxies)).toBe('127.0.0.1');
  });

  it('refuses a trusted proxy that is not an IP address', () => {
    expect(() => trustedProxySet(['proxy.local'])).toThrow(new TypeError("trustedProxies: 'proxy.local' is not an IP address"));
  });
});
