/**
 * Versioned PostgreSQL migrations. Several nodes may start at once against one database: the
 * whole run holds a transaction-level advisory lock, so exactly one node migrates and the others
 * wait, then find the schema current. Add a new entry to the list instead of editing an old one.
 */
import type { Pool } from 'pg';

/** `pg_advisory_xact_lock` key of the migration run (any constant unique to Roundel). */
const MIGRATION_LOCK = 0x526f756e; // "Roun"

/** Runs the `migrations` the database has not seen yet, in one transaction. Returns the schema version. */
export async function migrate(pool: Pool, migrations: readonly string[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS roundel_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM roundel_migrations');
    const from = rows[0]?.version ?? 0;
    if (from > migrations.length) {
      throw new Error(`database schema version ${from} is newer than this server (${migrations.length})`);
    }
    for (let index = from; index < migrations.length; index += 1) {
      await client.query(migrations[index] as string);
      await client.query('INSERT INTO roundel_migrations (version) VALUES ($1)', [index + 1]);
    }
    await client.query('COMMIT');
    return migrations.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
