import { startPostgres, startRedis, type PostgresHandle, type RedisHandle } from '../scripts/services.mjs';
import { expect, test } from './support/fixtures';
import { openHostPage, subscribe, waitForChatId } from './support/host-page';
import { currentGroup } from './support/processes';
import { API_KEY, startServer, type RunningServer } from './support/server';

/**
 * Three built nodes on one PostgreSQL and one Redis (docs/scaling.md): a visitor whose widget is
 * connected to node A sees a pushback activated through node B and an external event sent through
 * node C, in Chromium. The nodes and services belong to the worker's process group (started in
 * beforeAll): a run that fails or times out still ends them (support/processes.ts).
 */
let postgres: PostgresHandle;
let redis: RedisHandle;
let nodes: RunningServer[] = [];

test.beforeAll(async () => {
  const group = currentGroup();
  // Each one joins the group as soon as it is up, so a later failure leaves none behind.
  [postgres, redis] = await Promise.all([
    startPostgres().then((handle) => (group.addService('postgres', handle), handle)),
    startRedis().then((handle) => (group.addService('redis', handle), handle)),
  ]);
  // One after the other: the first migrates the database, the others find it ready.
  for (const name of ['node-a', 'node-b', 'node-c']) {
    nodes.push(await startServer({ env: { ROUNDEL_DATABASE_URL: postgres.url, ROUNDEL_REDIS_URL: redis.url, ROUNDEL_NODE_ID: name } }));
  }
});

test.afterAll(async () => {
  // A clean stop of each node is part of what is checked; the group ends whatever is left.
  const codes = await Promise.all(nodes.map((node) => node.stop()));
  nodes = [];
  await Promise.all([postgres?.close(), redis?.close()]);
  expect(codes).toEqual([0, 0, 0]);
});

test('a pushback POSTed to node B and an external event POSTed to node C reach a visitor on node A', async ({ page, request }) => {
  const [a, b, c] = nodes as [RunningServer, RunningServer, RunningServer];
  for (const [node, name] of [[a, 'node-a'], [b, 'node-b'], [c, 'node-c']] as const) {
    expect(await (await request.get(`${node.url}/healthz`)).json()).toEqual({ status: 'ok', node: name });
  }
  await openHostPage(page, a);
  const chatId = await waitForChatId(page);
  const link = await subscribe(page);

  // The link names the node whose bot turn made it (no --public-url here): aim it at node B.
  const viaB = link.replace(/^http:\/\/[^/]+/, b.url);
  expect(viaB.startsWith(`${b.url}/pushgate/push_`)).toBe(true);
  const activation = await request.post(viaB, { data: { text: 'Raised through node B' } });
  expect(activation.status()).toBe(202);
  await expect(page.getByRole('log')).toContainText('We have a unique offer just for you! Raised through node B');

  const event = await request.post(`${c.url}/api/v1/events/announcement`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
    data: { users: [chatId], data: { text: 'Sent through node C' } },
  });
  expect(event.status()).toBe(202);
  await expect(page.getByRole('log')).toContainText('We have a unique offer just for you! Sent through node C');
  await page.waitForFunction(() =>
    window.__events.some((e) => e.name === 'notification' && e.payload === 'announcement:Sent through node C'),
  );
});
