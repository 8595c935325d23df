/**
 * An injected commit failure, through the real HTTP server: the activations of the failed batch
 * are answered 500 with the JSON error body and none of them is stored or shown; the next batch
 * works. (That every caller of one batch shares its fate is pinned by group-commit.test.ts.)
 * Both engines: the SQLite file and a real PostgreSQL (its batch, store/postgres/batch.ts).
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestClient, type TestServer } from '../test/harness';
import { usePostgres } from '../test/services';
import type { Store } from './types';

const postgres = usePostgres();

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Raw connections, so that several requests can be written in one turn of this process. */
async function sockets(url: string, count: number): Promise<Socket[]> {
  const { port } = new URL(url);
  return Promise.all(
    Array.from({ length: count }, () => new Promise<Socket>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    })),
  );
}

/** Sends one POST on `socket` and resolves with its status and body. */
function post(socket: Socket, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      raw += chunk;
      const [head = '', rest = ''] = raw.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? -1);
      if (length >= 0 && Buffer.byteLength(rest) >= length) {
        socket.destroy();
        resolve({ status: Number(head.split(' ')[1]), body: rest });
      }
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

describe.each(['sqlite', 'postgres'] as const)('an injected commit failure (%s)', (engine) => {
  it('fails the callers of the batch with a 500 JSON error and stores none of them; the next batch works', async () => {
    let store: Store | undefined;
    t = await startServer({ onEvent: (ctx, _event, data) => ctx.say(String(data.text)) }, {
      onStore: (s) => (store = s),
      ...(engine === 'postgres' ? { database: postgres().database() } : {}),
    });
    const client: TestClient = await t.connect();
    const { chat_id: chatId } = await client.call('login');
    const created = await fetch(`${t.url}/api/v1/pushbacks`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key-acme', 'content-type': 'application/json' },
      body: JSON.stringify({ channelType: 'chatwidget', botId: 'acme-test', chatId, event: 'ping', eventData: {} }),
    });
    const { id } = (await created.json()) as { id: string };
    const path = `/pushgate/push_${id}`;

    const open = await sockets(t.url, 5);
    store?.failNextCommits(1);
    const answers = await Promise.all(open.map((socket, i) => post(socket, path, JSON.stringify({ text: `doomed-${i}` }))));
    const failed = answers.flatMap((answer, i) => (answer.status === 500 ? [`doomed-${i}`] : []));
    expect(failed.length).toBeGreaterThan(0);
    for (const answer of answers) {
      if (answer.status === 500) expect(JSON.parse(answer.body)).toEqual({ error: { type: 'internal', message: 'internal server error' } });
      else expect(answer.status).toBe(202);
    }

    const after = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"after"}' });
    expect(after.status).toBe(202);
    await client.waitFor((f) => f.type === 'push' && JSON.stringify(f.payload).includes('"text":"after"'));
    await t.server.idle();
    const said = client.texts('bot');
    // What was answered 202 is shown; what failed with its batch is not, now or later.
    expect(said.filter((text) => failed.includes(text))).toEqual([]);
    expect(said.filter((text) => text.startsWith('doomed-')).length).toBe(answers.length - failed.length);
    expect(said.at(-1)).toBe('after');
  });
});
