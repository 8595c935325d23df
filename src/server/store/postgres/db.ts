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

/**
 * Runs `body` in one transaction (READ COMMITTED; the bodies lock the rows they change).
 * `beforeCommit` runs after the body, inside the transaction: when it throws, the transaction
 * rolls back as a failed COMMIT would (the engine's test hook, Store.failNextCommits).
 */
export async function transaction<T>(pool: pg.Pool, body: (client: Client) => Promise<T>, beforeCommit?: () => void): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The server may go away while the client is checked out: the error then surfaces through the
  // query in flight; without a listener it would also be thrown as an uncaught exception.
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await body(client);
    beforeCommit?.();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A failed ROLLBACK means the connection itself is gone: drop it from the pool.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
