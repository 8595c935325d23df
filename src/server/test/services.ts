/**
 * Real PostgreSQL and Redis for a test file: started once in `beforeAll`, stopped in `afterAll`
 * (scripts/services.mjs starts them on 127.0.0.1, free ports, temp dirs; `npm test` installs them
 * when missing). Each call of `database()` gives an empty schema of its own (a URL whose
 * connections use it), so tests that share one server never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, startRedis, type PostgresHandle, type RedisHandle } from '../../../scripts/services.mjs';

export interface PostgresFixture {
  readonly server: PostgresHandle;
  /** Creates an empty schema and returns a URL whose connections see only it. */
  database(): string;
}

function holder<T>(name: string): { get(): T; peek(): T | undefined; set(value: T | undefined): void } {
  let value: T | undefined;
  return {
    peek: () => value,
    get() {
      if (value === undefined) throw new Error(`${name} is used outside the test file's beforeAll/afterAll`);
      return value;
    },
    set(next) {
      value = next;
    },
  };
}

/** Starts a PostgreSQL for this file; call the returned function inside tests. */
export function usePostgres(): () => PostgresFixture {
  const slot = holder<PostgresFixture>('usePostgres()');
  beforeAll(async () => {
    const server = await startPostgres();
    slot.set({ server, database: () => server.createSchema(`t_${randomBytes(6).toString('hex')}`) });
  }, 90_000);
  afterAll(async () => {
    await slot.peek()?.server.close();
    slot.set(undefined);
  });
  return slot.get;
}

/** Starts a redis-server for this file; call the returned function inside tests. */
export function useRedis(): () => RedisHandle {
  const slot = holder<RedisHandle>('useRedis()');
  beforeAll(async () => slot.set(await startRedis()), 90_000);
  afterAll(async () => {
    await slot.peek()?.close();
    slot.set(undefined);
  });
  return slot.get;
}
