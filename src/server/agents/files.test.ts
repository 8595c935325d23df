/**
 * A visitor's file on the agent side, against a real server: the agent's `incoming_event`, the
 * chat `get_chat` and `login` give, and the webhook's body all carry LiveChat's file event with a
 * signed, expiring URL, and fetching that URL returns the bytes the visitor sent.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PNG_1X1 } from '../files/files.fixture';
import type { Bot } from '../runtime/types';
import { SIGNATURE_HEADER, verifySignature } from '../webhooks/sign';
import { endpoint, startServer, TestClient, type TestServer } from '../test/harness';

const bot: Bot = { onStart: (ctx) => ctx.say('hello') };
const ALICE = { id: 'alice@example.com', name: 'Alice', key: 'alice-key-0123456789' };
const HOOK_SECRET = 'hook-secret-0123456789';

let server: TestServer | undefined;
let stopReceiver: (() => Promise<void>) | undefined;
afterEach(async () => {
  await server?.close();
  await stopReceiver?.();
  server = undefined;
  stopReceiver = undefined;
});

/** A webhook receiver on 127.0.0.1 that answers 200 to correctly signed bodies and keeps them. */
async function receiver(): Promise<{ url: string; next(test: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> }> {
  const bodies: Record<string, unknown>[] = [];
  const arrivals = new EventEmitter();
  const http = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const genuine = verifySignature(HOOK_SECRET, raw, req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined);
      res.writeHead(genuine ? 200 : 401).end();
      if (!genuine) return;
      bodies.push(JSON.parse(raw) as Record<string, unknown>);
      arrivals.emit('body');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  stopReceiver = () => new Promise((resolve) => http.close(() => resolve()));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`,
    async next(test) {
      for (;;) {
        const found = bodies.find(test);
        if (found) return found;
        await once(arrivals, 'body');
      }
    },
  };
}

const isFilePush = (chatId: string) => (frame: Record<string, unknown>) =>
  frame.type === 'push' &&
  frame.action === 'incoming_event' &&
  (frame.payload as { chat_id: string }).chat_id === chatId &&
  (frame.payload as { event: { type: string } }).event.type === 'file';

async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('a visitor file on the agent side', () => {
  it('reaches agents, get_chat, login and webhooks as a file event whose signed URL returns the bytes', async () => {
    const hook = await receiver();
    server = await startServer(bot, {
      endpoints: [endpoint(bot, { agents: [ALICE], webhooks: [{ url: hook.url, secret: HOOK_SECRET, actions: ['incoming_event'] }] })],
    });
    const s = server;
    const rtm = `${s.url.replace('http', 'ws')}/agent/rtm?organization=acme`;
    const alice = await TestClient.open(rtm, s.url);
    await alice.call('login', { token: ALICE.key });

    const visitor = await s.connect();
    const login = await visitor.call('login', {});
    const chatId = String(login.chat_id);
    const res = await fetch(`${s.url}/files?organization=acme&endpoint=acme-test&name=broken%20order.png`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${String(login.token)}`, 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(PNG_1X1),
    });
    expect(res.status).toBe(201);
    const { id: fileId } = (await res.json()) as { id: string };

    const expected = {
      type: 'file',
      author_id: chatId,
      visibility: 'all',
      name: 'broken order.png',
      content_type: 'image/png',
      size: PNG_1X1.length,
      url: expect.stringMatching(new RegExp(`^${s.url}/files/${fileId}\\?expires=\\d+&signature=[\\w-]+$`)),
    };
    // Live, to the agent.
    const live = (await alice.waitFor(isFilePush(chatId))).payload as { event: { url: string } };
    expect(live.event).toMatchObject(expected);
    expect(live.event).not.toHaveProperty('text');
    expect(await fetchBytes(live.event.url)).toEqual({ status: 200, bytes: PNG_1X1 });

    // In the chat an agent opens, and as the newest event of the chats at login.
    const chat = await alice.call('get_chat', { chat_id: chatId });
    const events = (chat.thread as { events: { type: string; url?: string }[] }).events;
    const inChat = events.find((e) => e.type === 'file');
    expect(inChat).toMatchObject(expected);
    expect(await fetchBytes(inChat!.url!)).toEqual({ status: 200, bytes: PNG_1X1 });
    const again = await TestClient.open(rtm, s.url);
    const summaries = (await again.call('login', { token: ALICE.key })).chats as { id: string; last_event?: unknown }[];
    expect(summaries.find((c) => c.id === chatId)?.last_event).toMatchObject(expected);

    // To the webhook, signed like every delivery.
    const delivered = await hook.next((body) => body.action === 'incoming_event' && (body.payload as { event: { type: string } }).event.type === 'file');
    const hooked = delivered.payload as { chat_id: string; event: { url: string } };
    expect(hooked.chat_id).toBe(chatId);
    expect(hooked.event).toMatchObject(expected);
    expect(await fetchBytes(hooked.event.url)).toEqual({ status: 200, bytes: PNG_1X1 });

    // The link is the file's only: another id with its signature is refused.
    const forged = live.event.url.replace(`/files/${fileId}`, '/files/00000000-0000-4000-8000-000000000000');
    expect((await fetchBytes(forged)).status).toBe(401);
  });
});
