/**
 * Visitor files with several nodes on one PostgreSQL and one Redis: a file sent through node A is
 * stored in the shared database, so node B shows it to the chat's other tab, serves it, and signs
 * URLs that node A accepts; the bot reads it through its URL wherever its turn runs; erasing the
 * chat through node B erases the file for every node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PNG_1X1 } from '../files/files.fixture';
import type { Bot } from '../runtime/types';
import type { ServerOptions } from '../server';
import { KEY_A, call } from '../test/api';
import { useClusterNodes } from '../test/cluster-nodes';
import type { TestServer } from '../test/harness';

const { startNodes } = useClusterNodes();

const bot: Bot = {
  async onFile(ctx, file) {
    const res = await fetch(file.url);
    await ctx.say(`read ${(await res.arrayBuffer()).byteLength} bytes of ${file.name}`);
  },
};

type FileEvent = { text: string; file?: { id: string; url?: string } };

describe('visitor files on several nodes', () => {
  it('stores through one node, shows, serves and erases through another', async () => {
    const [a, b] = await startNodes(bot, 2);
    const onA = await a!.connect();
    const { token, chat_id: chatId } = await onA.call('login');
    const onB = await b!.connect();
    await onB.call('login', { token: String(token), last_seq: 0 });

    const sent = await fetch(`${a!.url}/files?organization=acme&endpoint=acme-test&name=photo.png`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${String(token)}` },
      body: new Uint8Array(PNG_1X1),
    });
    expect(sent.status).toBe(201);
    const { id } = (await sent.json()) as { id: string };

    // Node B's tab gets the message with a URL node B signed; node A accepts it too (one secret).
    const push = await onB.waitFor((f) => f.type === 'push' && (f.payload as { event?: FileEvent }).event?.file?.id === id);
    const url = String((push.payload as { event: FileEvent }).event.file?.url);
    expect(url.startsWith(b!.url)).toBe(true);
    const viaA = await fetch(url.replace(b!.url, a!.url));
    expect(viaA.status).toBe(200);
    expect(Buffer.from(await viaA.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    expect((await fetch(`${b!.url}/files/${id}`, { headers: { Authorization: `Bearer ${String(token)}` } })).status).toBe(200);

    const said = await onA.waitFor((f) => f.type === 'push' && (f.payload as { event?: FileEvent }).event?.text?.startsWith('read ') === true, 15_000);
    expect((said.payload as { event: FileEvent }).event.text).toBe(`read ${PNG_1X1.length} bytes of photo.png`);

    expect((await call(b!.url, `/api/v1/chats/${String(chatId)}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(url.replace(b!.url, a!.url))).status).toBe(404);
  });

  it('counts a chat’s uploads in Redis, across the nodes', async () => {
    const [a, b] = await startNodes(bot, 2, { uploadRateLimit: { burst: 1, perSecond: 0.01 } });
    const { token } = await (await a!.connect()).call('login');
    const send = (node: TestServer) =>
      fetch(`${node.url}/files?organization=acme&endpoint=acme-test&name=a.png`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${String(token)}` },
        body: new Uint8Array(PNG_1X1),
      });
    expect((await send(a!)).status).toBe(201);
    expect((await send(b!)).status).toBe(429);
  });
});
