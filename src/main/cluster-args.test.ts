/** `roundel serve` flags of several nodes: --database, --redis, --node-id and their variables. */
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args';

describe('parseCliArgs for several nodes', () => {
  it('reads the storage and node flags, flags winning over the environment', () => {
    const env = { ROUNDEL_DATABASE_URL: 'postgres://app@db:5432/roundel', ROUNDEL_REDIS_URL: 'redis://cache:6379', ROUNDEL_NODE_ID: 'env-node' };
    expect(parseCliArgs(['serve'], env)).toMatchObject({
      ok: true,
      value: { database: 'postgres://app@db:5432/roundel', redis: 'redis://cache:6379', nodeId: 'env-node' },
    });
    expect(parseCliArgs(['serve', '--database', 'postgresql://x@h/d', '--node-id', 'b-2'], env)).toMatchObject({
      ok: true,
      value: { database: 'postgresql://x@h/d', redis: 'redis://cache:6379', nodeId: 'b-2' },
    });
  });

  it('leaves SQLite alone when no database is given', () => {
    const parsed = parseCliArgs([], {});
    expect(parsed.ok && parsed.value !== 'help' && [parsed.value.database, parsed.value.redis, parsed.value.nodeId]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('refuses URLs of the wrong kind, Redis without PostgreSQL and odd node names', () => {
    expect(parseCliArgs(['--database', 'mysql://h/d'], {})).toEqual({ ok: false, error: '--database must be a PostgreSQL URL like postgres://USER@HOST:5432/DB' });
    expect(parseCliArgs(['--database', 'postgres://h/d', '--redis', 'http://h'], {})).toEqual({
      ok: false,
      error: '--redis must be a Redis URL like redis://HOST:6379',
    });
    expect(parseCliArgs(['--redis', 'redis://h:6379'], {})).toMatchObject({ ok: false, error: expect.stringContaining('--redis needs --database') });
    expect(parseCliArgs(['--node-id', 'a b'], {})).toEqual({
      ok: false,
      error: "--node-id must be 1 to 64 letters, digits, '.', ':', '_' or '-', got 'a b'",
    });
  });
});
