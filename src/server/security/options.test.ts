import { describe, expect, it } from 'vitest';
import { ConnectionCaps } from './connection-caps';
import { resolveSecurity, securityFromEnv } from './options';

describe('securityFromEnv', () => {
  it('reads every variable, treating empty ones as unset', () => {
    const parsed = securityFromEnv({
      ROUNDEL_SECRET_PREVIOUS: 'one, two,,',
      ROUNDEL_TOKEN_MAX_AGE_DAYS: '30',
      ROUNDEL_HTTP_RATE_LIMIT: '500/250',
      ROUNDEL_MAX_CONNECTIONS_PER_IP: '200',
      ROUNDEL_MAX_CONNECTIONS: '',
      ROUNDEL_TRUSTED_PROXIES: '127.0.0.1, ::1',
      ROUNDEL_EXIT_ON_UNCAUGHT: '1',
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        previousSecrets: ['one', 'two'],
        tokenMaxAgeDays: 30,
        httpRateLimit: { burst: 500, perSecond: 250 },
        maxConnectionsPerIp: 200,
        trustedProxies: ['127.0.0.1', '::1'],
        exitOnUncaught: true,
      },
    });
    expect(securityFromEnv({ ROUNDEL_HTTP_RATE_LIMIT: 'off' })).toEqual({ ok: true, value: { httpRateLimit: false, exitOnUncaught: false } });
    expect(securityFromEnv({})).toEqual({ ok: true, value: { exitOnUncaught: false } });
  });

  it('fails naming the bad variable', () => {
    expect(securityFromEnv({ ROUNDEL_HTTP_RATE_LIMIT: '200' })).toEqual({
      ok: false,
      error: "ROUNDEL_HTTP_RATE_LIMIT must be BURST/PER_SECOND (e.g. 200/100) or off, got '200'",
    });
    expect(securityFromEnv({ ROUNDEL_MAX_CONNECTIONS_PER_IP: '1.5' })).toEqual({
      ok: false,
      error: "ROUNDEL_MAX_CONNECTIONS_PER_IP must be a positive integer, got '1.5'",
    });
    expect(securityFromEnv({ ROUNDEL_TOKEN_MAX_AGE_DAYS: '0' })).toEqual({ ok: false, error: "ROUNDEL_TOKEN_MAX_AGE_DAYS must be a positive number, got '0'" });
    expect(securityFromEnv({ ROUNDEL_TRUSTED_PROXIES: 'proxy' })).toEqual({ ok: false, error: "ROUNDEL_TRUSTED_PROXIES: 'proxy' is not an IP address" });
  });
});

describe('resolveSecurity', () => {
  it('has the documented defaults', () => {
    const resolved = resolveSecurity({});
    expect({ ...resolved, guard: undefined }).toEqual({
      previousSecrets: [],
      tokenMaxAgeMs: 180 * 24 * 60 * 60 * 1000,
      guard: undefined,
      maxConnectionsPerIp: 50,
      maxBufferedBytes: 1024 * 1024,
      slowConsumerMs: 5000,
      closeGraceMs: 2000,
    });
  });

  it('throws a TypeError naming a bad option', () => {
    expect(() => resolveSecurity({ maxConnectionsPerIp: 0 })).toThrow(new TypeError('maxConnectionsPerIp must be a positive number'));
    expect(() => resolveSecurity({ httpRateLimit: { burst: 10, perSecond: -1 } })).toThrow(new TypeError('httpRateLimit.perSecond must be a positive number'));
    expect(() => resolveSecurity({ trustedProxies: ['x'] })).toThrow(new TypeError("trustedProxies: 'x' is not an IP address"));
  });
});

describe('ConnectionCaps', () => {
  it('caps per client and in total, and gives slots back once per release', () => {
    const caps = new ConnectionCaps(3, 2);
    const a1 = caps.admit('a');
    const a2 = caps.admit('a');
    expect(caps.admit('a')).toEqual({ ok: false, reason: 'client' });
    const b1 = caps.admit('b');
    expect(caps.admit('c')).toEqual({ ok: false, reason: 'total' });
    if (!a1.ok || !a2.ok || !b1.ok) throw new Error('admitted');
    a1.release();
    a1.release();
    expect(caps.size).toBe(2);
    expect(caps.admit('a').ok).toBe(true);
    a2.release();
    b1.release();
    expect(caps.clients).toBe(1);
  });
});
