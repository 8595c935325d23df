/** The connection pool of the PostgreSQL engine and its one way of running a transaction. */
import pg from 'pg';
import { errorFields, type Logger } from '../../logger';

export type Client = pg.PoolClient;

export interface PoolOptions {
  /** Connections per node. Default 10. */
  max?: number;
  logger: Logger;
}

/**
 * A pool on `url` (`postgres://USER@HOST:PORT/DB`). Failing fast matters more than waiting: with
 * PostgreSQL unreachable a request must get its 503 in seconds, not hang (docs/scaling.md).
 */
export function createPool(url: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
    query_timeout: 15_000,
    idleTimeoutMillis: 30_000,
    application_name: 'roundel',
  });
  // An idle client whose server went away emits here; without a listener it would crash the node.
  pool.on('error', (error) => options.logger.warn('postgres connection lost', errorFields(error)));
  return pool;
}

/** A connection checked out of the pool; `broken` set means it failed and must not be reused. */
export interface Checkout {
  client: Client;
  broken: Error | undefined;
}

/**
 * Runs `body` on a pooled connection and gives it back, dropped from the pool when it failed.
 * The server may go away while the client is checked out: the error then surfaces through the
 * query in flight; without a listener it would also be thrown as an uncaught exception.
 */
export async function withClient<T>(pool: pg.Pool, body: (checkout: Checkout) => Promise<T>): Promise<T> {
  const checkout: Checkout = { client: await pool.connect(), broken: undefined };
  const onError = (error: Error) => {
    checkout.broken = error;
  };
  checkout.client.on('error', onError);
  try {
    return await body(checkout);
  } finally {
    checkout.client.off('error', onError);
    checkout.client.release(checkout.broken);
  }
}

/** Rolls back the transaction in progress; a failed ROLLBACK means the connection itself is gone. */
export async function rollback(checkout: Checkout): Promise<void> {
  await checkout.client.query('ROLLBACK').catch((error: unknown) => {
    checkout.broken = error instanceof Error ? error : new Error(String(error));
  });
}

/**
 * Runs `body` in one transaction (READ COMMITTED; the bodies lock the rows they change).
 * `beforeCommit` runs after the body, inside the transaction: when it throws, the transaction
 * rolls back as a failed COMMIT would (the engine's test hook, Store.failNextCommits).
 */
export async function transaction<T>(pool: pg.Pool, body: (client: Client) => Promise<T>, beforeCommit?: () => void): Promise<T> {
  return withClient(pool, async (checkout) => {
    try {
      await checkout.client.query('BEGIN');
      const result = await body(checkout.client);
      beforeCommit?.();
      await checkout.client.query('COMMIT');
      return result;
    } catch (error) {
      await rollback(checkout);
      throw error;
    }
  });
}
