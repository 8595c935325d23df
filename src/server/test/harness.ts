/**
 * Test harness: a real server on 127.0.0.1 port 0 with a temp database, and a websocket client
 * that records every frame and lets tests await the frame they expect (no sleeps).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { JsonObject, ServerFrame, StoredPush } from '../../protocol';
import type { EndpointConfig } from '../endpoints';
import { silentLogger } from '../logger';
import type { Bot } from '../runtime/types';
import { createServer, type RoundelServer, type ServerOptions } from '../server';
import { recordResponses } from './openapi-check';

export const ORIGIN = 'https://shop.example';

export interface TestServer {
  server: RoundelServer;
  /** `http://127.0.0.1:PORT` */
  url: string;
  dir: string;
  dbPath: string;
  wsUrl(organization?: string, endpoint?: string): string;
  connect(options?: { origin?: string; organization?: string; endpoint?: string }): Promise<TestClient>;
  /** Closes the server and every client; removes the temp dir unless `keepDir`. */
  close(keepDir?: boolean): Promise<void>;
}

export function endpoint(bot: Bot, extra: Partial<EndpointConfig> = {}): EndpointConfig {
  return { organization: 'acme', endpoint: 'acme-test', bot, allowedOrigins: [ORIGIN], apiKey: 'test-key-acme', ...extra };
}

/** Starts a server with `bot` on endpoint `acme/acme-test` (or the given endpoints). */
export async function startServer(
  bot: Bot,
  options: Partial<ServerOptions> & { dir?: string } = {},
): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'roundel-test-'));
  const dbPath = join(dir, 'roundel.db');
  const server = await createServer({
    dbPath,
    endpoints: [endpoint(bot)],
    logger: silentLogger,
    secret: 'test-secret',
    ...options,
  });
  // Every HTTP answer this server gives is checked against docs/openapi.json; close() fails the test on a departure.
  const responses = recordResponses(server.httpServer);
  await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = server.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const clients = new Set<TestClient>();
  const wsUrl = (organization = 'acme', name = 'acme-test') =>
    `ws://127.0.0.1:${port}/ws?organization=${organization}&endpoint=${name}`;
  return {
    server,
    url,
    dir,
    dbPath,
    wsUrl,
    async connect(o = {}) {
      const client = await TestClient.open(wsUrl(o.organization, o.endpoint), o.origin ?? ORIGIN);
      clients.add(client);
      return client;
    },
    async close(keepDir = false) {
      for (const client of clients) client.ws.terminate();
      await server.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
      const problems = responses.problems();
      if (problems.length > 0) throw new Error(`answers outside docs/openapi.json:\n${problems.join('\n')}`);
    },
  };
}

type Frame = ServerFrame & Record<string, unknown>;

export class TestClient {
  readonly frames: Frame[] = [];
  private readonly waiters = new Set<() => void>();
  private nextId = 0;
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.waiters) wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.waiters) wake();
    });
  }

  static open(url: string, origin: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { Origin: origin } });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a request and resolves with its response frame. */
  async request(action: string, payload: JsonObject = {}): Promise<Frame> {
    const requestId = `r${++this.nextId}`;
    this.ws.send(JSON.stringify({ request_id: requestId, action, payload }));
    return this.waitFor((f) => f.type === 'response' && f.request_id === requestId);
  }

  /** Sends a request and returns its success payload (throws on an error response). */
  async call(action: string, payload: JsonObject = {}): Promise<Record<string, unknown>> {
    const response = await this.request(action, payload);
    if (response.success !== true) throw new Error(`${action} failed: ${JSON.stringify(response)}`);
    return response.payload as Record<string, unknown>;
  }

  /** The first received frame (from the start) matching `predicate`, waiting for it if needed. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.frames.find(predicate);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out; frames so far: ${JSON.stringify(this.frames)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.waiters.add(wake);
    });
  }

  /** Waits until the chat's stored pushes reach `seq`, then returns them in arrival order. */
  async pushesUntil(seq: number): Promise<StoredPush[]> {
    await this.waitFor((f) => f.type === 'push' && (f.payload as { seq?: number }).seq === seq);
    return this.storedPushes();
  }

  storedPushes(): StoredPush[] {
    return this.frames.filter((f) => f.type === 'push' && typeof (f.payload as { seq?: unknown }).seq === 'number') as unknown as StoredPush[];
  }

  /** Texts of `incoming_event` pushes by `author`, in arrival order. */
  texts(author: 'bot' | 'visitor' = 'bot'): string[] {
    return this.storedPushes().flatMap((p) =>
      p.action === 'incoming_event' && p.payload.event.author === author ? [p.payload.event.text] : [],
    );
  }

  /** Resolves with the close code once the server closed the socket. */
  waitClose(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }
}

/** A promise with its resolve function exposed (to hold a handler until the test releases it). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
