/**
 * Several in-process nodes on one PostgreSQL and one Redis (both started for the test file), each
 * closed after every test. The nodes share the database's generated token secret, as nodes
 * started without `secret` do in production.
 */
import { afterEach } from 'vitest';
import type { Bot } from '../runtime/types';
import type { ServerOptions } from '../server';
import { KEY_A } from './api';
import { startServer, type TestServer } from './harness';
import { usePostgres, useRedis } from './services';

export function useClusterNodes() {
  const postgres = usePostgres();
  const redis = useRedis();
  let nodes: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
  });
  /** Starts `count` nodes named node-a, node-b, … with endpoint acme/acme-test running `bot`. */
  async function startNodes(bot: Bot, count = 3, extra: Partial<ServerOptions> = {}): Promise<TestServer[]> {
    const database = postgres().database();
    const started: TestServer[] = [];
    for (let i = 0; i < count; i += 1) {
      const node = await startServer(bot, {
        database,
        redis: redis().url,
        nodeId: `node-${String.fromCharCode(97 + i)}`,
        secret: undefined,
        endpoints: [{ organization: 'acme', endpoint: 'acme-test', bot, allowedOrigins: ['https://shop.example'], apiKey: KEY_A }],
        ...extra,
      });
      nodes.push(node);
      started.push(node);
    }
    return started;
  }
  return { postgres, redis, startNodes };
}
