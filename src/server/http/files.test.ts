/**
 * Visitor files through the in-process server (every answer checked against docs/openapi.json):
 * the upload, the message in every tab with a signed URL, the bot's onFile fetching that URL,
 * who may download, the headers, erasure with the chat, the rate limit. The size limit, tokens,
 * headers and expiry are checked against the real server process too (test/files-process.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PDF_HEAD, PNG_1X1 } from '../files/files.fixture';
import { FileUrlSigner } from '../files/urls';
import type { Bot } from '../runtime/types';
import { KEY_A, countRows, seedChats, startApiServer, type ApiServer } from '../test/api';
import { TokenSigner } from '../token';
import { ORIGIN, type TestClient } from '../test/harness';

let t: ApiServer;
afterEach(async () => {
  await t.close();
});

/** Answers a file with what it read through the URL it was given. */
const bot: Bot = {
  onStart: (ctx) => ctx.say('hello'),
  async onFile(ctx, file) {
    const res = await fetch(file.url);
    const bytes = Buffer.from(await res.arrayBuffer());
    await ctx.say(`got ${file.name} ${file.contentType} ${file.size} bytes, fetched ${res.status} ${bytes.length} bytes`);
  },
};

interface Upload {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function upload(base: string, token: string | null, data: Buffer, query = 'name=broken.png', headers: Record<string, string> = {}): Promise<Upload> {
  const res = await fetch(`${base}/files?organization=acme&endpoint=acme-test&${query}`, {
    method: 'POST',
    headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), 'Content-Type': 'image/png', ...headers },
    body: new Uint8Array(data),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function visitor(server: ApiServer): Promise<{ client: TestClient; token: string; chatId: string }> {
  const client = await server.connect();
  const login = await client.call('login');
  return { client, token: String(login.token), chatId: String(login.chat_id) };
}

type FilePush = { payload: { seq: number; event: { text: string; author: string; custom_id?: string; file?: { id: string; name: string; content_type: string; size: number; url?: string } } } };

describe('POST /files', () => {
  it('stores a PNG, shows it in every tab with a signed URL, and the bot fetches it through its url', async () => {
    t = await startApiServer(bot);
    const { client, token } = await visitor(t);
    await client.pushesUntil(1);
    const other = await t.connect();
    await other.call('login', { token, last_seq: 1 });
    const sent = await upload(t.url, token, PNG_1X1, 'name=broken%20order.png&custom_id=f-1');
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'broken order.png', content_type: 'image/png', size: PNG_1X1.length, event_id: expect.any(String), seq: 2 });
    for (const tab of [client, other]) {
      const push = (await tab.pushesUntil(2)).find((p) => p.payload.seq === 2) as unknown as FilePush;
      expect(push.payload.event).toMatchObject({ author: 'visitor', text: 'broken order.png', custom_id: 'f-1', file: { id: sent.body.id, name: 'broken order.png', content_type: 'image/png', size: PNG_1X1.length } });
      const url = push.payload.event.file?.url ?? '';
      expect(url).toMatch(new RegExp(`^${t.url}/files/${String(sent.body.id)}\\?expires=\\d+&signature=`));
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    }
    const answer = await client.waitFor((f) => f.type === 'push' && (f.payload as FilePush['payload']).event?.text?.startsWith('got '));
    expect((answer.payload as FilePush['payload']).event.text).toBe(`got broken order.png image/png ${PNG_1X1.length} bytes, fetched 200 ${PNG_1X1.length} bytes`);
    // A reload gets the file in its history, with a URL of its own.
    const reload = await t.connect();
    const again = await reload.call('login', { token, last_seq: 3, history: true });
    const history = again.history as FilePush[];
    expect(history.find((p) => p.payload.seq === 2)?.payload.event.file?.url).toMatch(/signature=/);
  });

  it('sniffs the type from the bytes: a PDF labelled image/png is a PDF; unknown bytes are refused with 415', async () => {
    t = await startApiServer(bot);
    const { token } = await visitor(t);
    expect((await upload(t.url, token, PDF_HEAD, 'name=invoice.png')).body).toMatchObject({ content_type: 'application/pdf', name: 'invoice.png' });
    const exe = await upload(t.url, token, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]), 'name=setup.exe');
    expect(exe).toMatchObject({ status: 415, body: { error: { type: 'validation' } } });
    expect(await upload(t.url, token, Buffer.alloc(0), 'name=empty.txt')).toMatchObject({ status: 400, body: { error: { message: 'the file is empty' } } });
    expect(await upload(t.url, token, PNG_1X1, 'name=')).toMatchObject({ status: 400 });
    expect(await upload(t.url, token, PNG_1X1, 'name=a.png&custom_id=%20bad')).toMatchObject({ status: 400 });
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM files')).toBe(1);
  });

  it('answers a repeated custom_id with the first upload and stores nothing twice', async () => {
    t = await startApiServer({});
    const { token } = await visitor(t);
    const first = await upload(t.url, token, PNG_1X1, 'name=a.png&custom_id=same');
    const repeat = await upload(t.url, token, PNG_1X1, 'name=a.png&custom_id=same');
    expect(first.status).toBe(201);
    expect(repeat).toMatchObject({ status: 200, body: first.body });
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM files')).toBe(1);
  });

  it('refuses without a genuine token (401), a token of another endpoint (403), a page of another origin (403)', async () => {
    t = await startApiServer(bot);
    const { token, chatId } = await visitor(t);
    expect(await upload(t.url, null, PNG_1X1)).toMatchObject({ status: 401, body: { error: { type: 'authentication' } } });
    expect(await upload(t.url, `${chatId}.1.forged`, PNG_1X1)).toMatchObject({ status: 401 });
    expect(await upload(t.url, KEY_A, PNG_1X1)).toMatchObject({ status: 401 });
    const globex = await fetch(`${t.url}/files?organization=globex&endpoint=globex-test&name=a.png`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: new Uint8Array(PNG_1X1) });
    expect(globex.status).toBe(403);
    const elsewhere = await upload(t.url, token, PNG_1X1, 'name=a.png', { Origin: 'https://evil.example' });
    expect(elsewhere.status).toBe(403);
    expect((await fetch(`${t.url}/files?organization=acme&endpoint=nope&name=a.png`, { method: 'POST', body: new Uint8Array(PNG_1X1) })).status).toBe(404);
    const allowed = await upload(t.url, token, PNG_1X1, 'name=a.png', { Origin: ORIGIN });
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM files')).toBe(1);
  });

  it('grants the preflight to allowed origins only', async () => {
    t = await startApiServer(bot);
    const preflight = (origin: string) =>
      fetch(`${t.url}/files?organization=acme&endpoint=acme-test`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
    const ok = await preflight(ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect((await preflight('https://evil.example')).status).toBe(403);
  });

  it('limits uploads per chat (429 with Retry-After)', async () => {
    t = await startApiServer({}, { uploadRateLimit: { burst: 2, perSecond: 0.01 } });
    const { token } = await visitor(t);
    expect((await upload(t.url, token, PNG_1X1)).status).toBe(201);
    expect((await upload(t.url, token, PNG_1X1)).status).toBe(201);
    const third = await upload(t.url, token, PNG_1X1);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('refuses a closed conversation (409) and keeps nothing of the file', async () => {
    t = await startApiServer({});
    seedChats(t.dbPath, [{ id: 'c-closed', closed: true }]);
    const token = new TokenSigner(Buffer.from('test-secret')).sign('c-closed');
    expect(await upload(t.url, token, PNG_1X1)).toMatchObject({ status: 409, body: { error: { type: 'validation' } } });
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM files')).toBe(0);
  });
});

describe('GET /files/{id}', () => {
  it('serves the chat’s own visitor and signed URLs with safe headers: images inline, everything else as attachment', async () => {
    t = await startApiServer({});
    const { token } = await visitor(t);
    const png = (await upload(t.url, token, PNG_1X1, 'name=photo.png')).body;
    const text = (await upload(t.url, token, Buffer.from('<svg onload="alert(1)"/>'), 'name=drawing.svg')).body;
    const pdf = (await upload(t.url, token, PDF_HEAD, 'name=factura%20ñ.pdf')).body;
    const get = (id: unknown, auth = token) => fetch(`${t.url}/files/${String(id)}`, { headers: { Authorization: `Bearer ${auth}` } });
    const image = await get(png.id);
    expect(image.status).toBe(200);
    expect(Object.fromEntries(['content-type', 'x-content-type-options', 'content-security-policy', 'content-disposition', 'cache-control'].map((h) => [h, image.headers.get(h)]))).toEqual({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'content-disposition': `inline; filename="photo.png"; filename*=UTF-8''photo.png`,
      'cache-control': 'private, no-store',
    });
    const svg = await get(text.id);
    expect(svg.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(svg.headers.get('content-disposition')).toMatch(/^attachment; filename="drawing.svg"/);
    const doc = await get(pdf.id);
    expect(doc.headers.get('content-type')).toBe('application/pdf');
    expect(doc.headers.get('content-disposition')).toBe(`attachment; filename="factura _.pdf"; filename*=UTF-8''factura%20%C3%B1.pdf`);
    expect(Buffer.from(await doc.arrayBuffer()).equals(PDF_HEAD)).toBe(true);
    const head = await fetch(`${t.url}/files/${String(png.id)}`, { method: 'HEAD', headers: { Authorization: `Bearer ${token}` } });
    expect(head.headers.get('content-length')).toBe(String(PNG_1X1.length));
  });

  it('refuses other chats (403), bad tokens and signatures (401), expired URLs (403), unknown ids (404)', async () => {
    t = await startApiServer({});
    const { token } = await visitor(t);
    const stranger = await visitor(t);
    const { id } = (await upload(t.url, token, PNG_1X1)).body;
    const get = (path: string, auth?: string) => fetch(`${t.url}${path}`, auth === undefined ? {} : { headers: { Authorization: `Bearer ${auth}` } });
    expect((await get(`/files/${String(id)}`, stranger.token)).status).toBe(403);
    expect((await get(`/files/${String(id)}`, 'not-a-token')).status).toBe(401);
    expect((await get(`/files/${String(id)}`)).status).toBe(401);
    expect((await get(`/files/${String(id)}?expires=9999999999&signature=AAAA`)).status).toBe(401);
    // The harness's secret, and a clock two days back: a genuine signature that expired yesterday.
    const past = new FileUrlSigner([Buffer.from('test-secret')], 24 * 3600_000, () => Date.now() - 2 * 24 * 3600_000);
    const expired = await get(`/files/${String(id)}?${past.query(String(id))}`);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toEqual({ error: { type: 'authentication', message: 'the file link has expired' } });
    const current = new FileUrlSigner([Buffer.from('test-secret')], 60_000);
    expect((await get(`/files/${String(id)}?${current.query(String(id))}`)).status).toBe(200);
    expect((await get(`/files/nope?${current.query('nope')}`)).status).toBe(404);
    expect((await get('/files/nope', token)).status).toBe(404);
  });

  it('is erased with the chat: its file answers 404, its rows are gone', async () => {
    t = await startApiServer({});
    const { token, chatId } = await visitor(t);
    const { id } = (await upload(t.url, token, PNG_1X1)).body;
    const signed = new FileUrlSigner([Buffer.from('test-secret')], 60_000).query(String(id));
    expect((await t.call(`/api/v1/chats/${chatId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${t.url}/files/${String(id)}?${signed}`)).status).toBe(404);
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM files')).toBe(0);
  });
});

describe('POST /files/{id}/link', () => {
  it("renews an expired link for the chat's own visitor from an allowed page: the new one returns the bytes", async () => {
    t = await startApiServer({});
    const { token } = await visitor(t);
    const stranger = await visitor(t);
    const { id } = (await upload(t.url, token, PNG_1X1)).body;
    // A link the widget was given two days ago: refused now.
    const past = new FileUrlSigner([Buffer.from('test-secret')], 24 * 3600_000, () => Date.now() - 2 * 24 * 3600_000);
    expect((await fetch(`${t.url}/files/${String(id)}?${past.query(String(id))}`)).status).toBe(403);

    const renew = (fileId: string, auth: string | null, origin = ORIGIN, endpoint = 'acme-test') =>
      fetch(`${t.url}/files/${encodeURIComponent(fileId)}/link?organization=acme&endpoint=${endpoint}`, {
        method: 'POST',
        headers: { Origin: origin, ...(auth === null ? {} : { Authorization: `Bearer ${auth}` }) },
      });
    const res = await renew(String(id), token);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^${t.url}/files/${String(id)}\\?expires=\\d+&signature=[\\w-]+$`));
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG_1X1)).toBe(true);

    expect((await renew(String(id), stranger.token)).status).toBe(403);
    expect((await renew(String(id), null)).status).toBe(401);
    expect((await renew(String(id), 'not-a-token')).status).toBe(401);
    expect((await renew(String(id), token, 'https://evil.example')).status).toBe(403);
    expect((await renew(String(id), token, ORIGIN, 'nope')).status).toBe(404);
    expect((await renew('00000000-0000-4000-8000-000000000000', token)).status).toBe(404);
    expect((await fetch(`${t.url}/files/${String(id)}/link`, { method: 'GET' })).status).toBe(405);
    const preflight = await fetch(`${t.url}/files/${String(id)}/link?organization=acme&endpoint=acme-test`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });
});
