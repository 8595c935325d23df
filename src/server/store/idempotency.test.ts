import Database from 'better-sqlite3';
import { describeIdempotencyContract } from './idempotency-contract';
import { IDEMPOTENCY_MIGRATION, sqliteIdempotency } from './idempotency-sqlite';

describeIdempotencyContract('SQLite', async () => {
  const db = new Database(':memory:');
  db.exec(IDEMPOTENCY_MIGRATION);
  return {
    store: sqliteIdempotency(db),
    rows: async () => Number(db.prepare('SELECT count(*) FROM idempotency').pluck().get()),
    close: async () => {
      db.close();
    },
  };
});
