/**
 * Two nodes over one bus (the in-process broker, standing in for Redis) and one database: an
 * agent connected to one node sees what happens to a visitor connected to the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MemoryBroker } from '../bus';
import { silentLogger } from '../logger';
import type { Bot } from '../runtime/types';
import { createServer, type RoundelServer } from '../server';
import { endpoint, ORIGIN, TestClient } from '../test/harness';

const bot: Bot = {
  async onMessage(ctx, text) {
    await ctx.say(`echo: ${text}`);
  },
};
const ALICE = { id: 'alice@example.com', name: 'Alice', key: 'alice-key-0123456789' };

const servers: RoundelServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('relays agent pushes to agents on every node', async () => {
  const broker = new MemoryBroker();
  const dir = mkdtempSync(join(tmpdir(), 'roundel-agents-bus-'));
  dirs.push(dir);
  const start = async (nodeId: string) => {
    const server = await createServer({
      dbPath: join(dir, `${nodeId}.db`),
      endpoints: [endpoint(bot, { agents: [ALICE] })],
      logger: silentLogger,
      secret: 'test-secret',
      nodeId,
      bus: broker.connect(),
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;
  };
  const [a, b] = [await start('a'), await start('b')];
  const alice = await TestClient.open(`ws://${b}/agent/rtm?organization=acme`, `http://${b}`);
  await alice.call('login', { token: ALICE.key });
  const visitor = await TestClient.open(`ws://${a}/ws?organization=acme&endpoint=acme-test`, ORIGIN);
  const { chat_id: chatId } = (await visitor.call('login', {})) as { chat_id: string };
  await visitor.call('send_event', { event: { type: 'message', text: 'hello', custom_id: 'c1' } });
  const event = await alice.waitFor(
    (f) => f.type === 'push' && f.action === 'incoming_event' && (f.payload as { event: { text: string } }).event.text === 'echo: hello',
  );
  expect(event.payload).toMatchObject({ chat_id: chatId });
  visitor.ws.close();
  alice.ws.close();
});
