/** The PostgreSQL schema, one entry per version (see {@link migrate}). */

export const MIGRATIONS: readonly string[] = [
  // 1: the nodes of the service and the shard leases that make one node the worker of a chat.
  `
  CREATE TABLE roundel_nodes (
    id text PRIMARY KEY,
    seen_at timestamptz NOT NULL
  );
  -- One row per shard. epoch grows by one on every change of owner: the fencing token a worker
  -- checks inside each of its transactions (docs/scaling.md, "Shards and leases").
  CREATE TABLE roundel_shard_leases (
    shard integer PRIMARY KEY,
    owner text,
    epoch bigint NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL DEFAULT '-infinity'
  );
  `,
];
