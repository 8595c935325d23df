/**
 * Visitor files against the real `roundel serve` process: the 10 MiB limit (413 at the limit,
 * nothing stored), who may upload and download, the headers files are served with, and signed
 * URLs that expire. The same secret as the process (ROUNDEL_SECRET) lets the test sign a URL that
 * expired yesterday without waiting a day.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_1X1 } from '../files/files.fixture';
import { MAX_FILE_BYTES } from '../files/limits';
import { FileUrlSigner } from '../files/urls';
import { TestClient } from './harness';
import { startServerProcess, writeProcessConfig, type ServerProcess } from './server-process';

const SECRET = 'files-process-secret-0123456789';
const ORIGIN = 'https://shop.example';
const MIB = 1024 * 1024;
const BOT = `export default {
  async onFile(ctx, file) {
    const res = await fetch(file.url);
    await ctx.say('bot read ' + (await res.arrayBuffer()).byteLength + ' bytes of ' + file.name);
  },
};
`;

let dir: string;
let db: string;
let server: ServerProcess;
let token: string;
let client: TestClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roundel-files-'));
  db = join(dir, 'roundel.db');
  writeFileSync(join(dir, 'bot.mjs'), BOT);
  server = await startServerProcess(db, writeProcessConfig(dir, './bot.mjs', 'files-key-0123456789', ORIGIN), { ROUNDEL_SECRET: SECRET });
  client = await TestClient.open(`${server.url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-test`, ORIGIN);
  token = String((await client.call('login')).token);
});

afterAll(async () => {
  client?.ws.terminate();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Rows of the process's database, read while it runs (WAL). */
function count(sql: string): number {
  const reader = new Database(db, { readonly: true });
  try {
    return (reader.prepare(sql).get() as { n: number }).n;
  } finally {
    reader.close();
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A raw upload: `declared` is the Content-Length sent (none: chunked); `send` bytes are written in
 * 256 KiB chunks, and the request is ended only when `end` is true. The promise settles with the
 * response, so an upload that is never ended proves the server answered without reading it all.
 */
function rawUpload(options: { declared?: number; send: number; end: boolean; auth?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${server.url}/files?organization=acme&endpoint=acme-test&name=big.bin`);
    const req = request(url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${options.auth ?? token}`,
        ...(options.declared === undefined ? {} : { 'Content-Length': String(options.declared) }),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        req.destroy();
      });
    });
    // The server may close while we still write: that is the point, not a failure.
    req.on('error', (error: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error)));
    // Headers go out now, even when no byte of the body follows.
    req.flushHeaders();
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let written = 0;
    const pump = () => {
      while (written < options.send) {
        const part = chunk.subarray(0, Math.min(chunk.length, options.send - written));
        written += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      if (options.end) req.end();
    };
    pump();
  });
}

describe('the 10 MiB limit (real process)', () => {
  it('refuses a declared 11 MiB body with 413 before reading it, and stores nothing', async () => {
    const answer = await rawUpload({ declared: 11 * MIB, send: 0, end: false });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: { type: 'entity_too_large', message: 'a file may be at most 10485760 bytes (10 MiB)' } });
    expect(answer.headers.connection).toBe('close');
    expect(count('SELECT COUNT(*) AS n FROM files')).toBe(0);
  });

  it('answers 413 as soon as an undeclared (chunked) body passes 10 MiB, without waiting for its end, and stores nothing', async () => {
    const answer = await rawUpload({ send: MAX_FILE_BYTES + 512 * 1024, end: false });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { type: 'entity_too_large' } });
    expect(count('SELECT COUNT(*) AS n FROM files')).toBe(0);
    // No message either: the chat's log is empty (the bot has no onStart).
    expect(count('SELECT COUNT(*) AS n FROM events')).toBe(0);
  });

  it('takes exactly 10 MiB (text), shows it, and the bot reads all of it through its url', async () => {
    const answer = await rawUpload({ declared: MAX_FILE_BYTES, send: MAX_FILE_BYTES, end: true });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ size: MAX_FILE_BYTES, content_type: 'text/plain; charset=utf-8' });
    const said = await client.waitFor((f) => f.type === 'push' && (f.payload as { event?: { text?: string } }).event?.text?.startsWith('bot read') === true, 15_000);
    expect((said.payload as { event: { text: string } }).event.text).toBe(`bot read ${MAX_FILE_BYTES} bytes of big.bin`);
    expect(count('SELECT COUNT(*) AS n FROM files')).toBe(1);
  });

  it('refuses a wrong token with 401 before reading the body', async () => {
    const answer = await rawUpload({ declared: 1000, send: 0, end: false, auth: 'forged.1.token' });
    expect(answer.status).toBe(401);
  });
});

describe('downloads (real process)', () => {
  let id: string;
  beforeAll(async () => {
    const res = await fetch(`${server.url}/files?organization=acme&endpoint=acme-test&name=photo.png`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/html' },
      body: new Uint8Array(PNG_1X1),
    });
    id = String(((await res.json()) as { id: string }).id);
  });

  it('serves the visitor with the sniffed type and the safe headers', async () => {
    const res = await fetch(`${server.url}/files/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe('sandbox');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="photo.png"/);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });

  it('refuses another chat’s token (403) and a forged one (401)', async () => {
    const stranger = await TestClient.open(`${server.url.replace('http', 'ws')}/ws?organization=acme&endpoint=acme-test`, ORIGIN);
    const theirs = String((await stranger.call('login')).token);
    stranger.ws.terminate();
    expect((await fetch(`${server.url}/files/${id}`, { headers: { Authorization: `Bearer ${theirs}` } })).status).toBe(403);
    expect((await fetch(`${server.url}/files/${id}`, { headers: { Authorization: `Bearer ${theirs.slice(0, -2)}xx` } })).status).toBe(401);
  });

  it('serves a signed URL until it expires, then answers 403', async () => {
    const fresh = new FileUrlSigner([Buffer.from(SECRET)], 60_000);
    expect((await fetch(`${server.url}/files/${id}?${fresh.query(id)}`)).status).toBe(200);
    const yesterday = new FileUrlSigner([Buffer.from(SECRET)], 1000, () => Date.now() - 24 * 3600_000);
    const expired = await fetch(`${server.url}/files/${id}?${yesterday.query(id)}`);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toEqual({ error: { type: 'authentication', message: 'the file link has expired' } });
  });
});
