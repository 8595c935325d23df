/**
 * The widget's assets over HTTP (static.ts, router.ts): precompressed copies by Accept-Encoding,
 * ETags and 304s, a year of caching for content-hashed chunks only, the source map, and nothing
 * outside the chunk directory. Node's fetch would decompress: raw requests see the bytes.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../test/harness';
import { acceptedEncodings, etagMatches } from './static';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const BUNDLE = 'window.ServisBot={};//# sourceMappingURL=messenger.js.map\n'.repeat(20);
const CHUNK = 'export const css="";\n'.repeat(20);

/** A server whose dist/ holds messenger.js (+ map, + .br/.gz) and one chunk. */
async function withAssets(): Promise<TestServer> {
  const first = await startServer({});
  const dir = first.dir;
  await first.close(true);
  const file = join(dir, 'messenger.js');
  writeFileSync(file, BUNDLE);
  writeFileSync(`${file}.br`, brotliCompressSync(BUNDLE));
  writeFileSync(`${file}.gz`, gzipSync(BUNDLE));
  writeFileSync(`${file}.map`, '{"version":3}');
  mkdirSync(join(dir, 'widget'));
  writeFileSync(join(dir, 'widget', 'panel-Ab12_-x9.js'), CHUNK);
  writeFileSync(join(dir, 'widget', 'panel-Ab12_-x9.js.gz'), gzipSync(CHUNK));
  writeFileSync(join(dir, 'widget', 'chunks.json'), '{}');
  writeFileSync(join(dir, 'secret.js'), 'nope');
  return startServer({}, { dir, widgetFile: file });
}

describe('widget assets', () => {
  it('sends the br copy, else the gzip one, else the file, each with its own ETag and Vary', async () => {
    t = await withAssets();
    const br = await get(t.url, '/messenger.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    const gz = await get(t.url, '/messenger.js', { 'Accept-Encoding': 'gzip;q=1, br;q=0' });
    const plain = await get(t.url, '/messenger.js');
    expect([br.headers['content-encoding'], gz.headers['content-encoding'], plain.headers['content-encoding']]).toEqual(['br', 'gzip', undefined]);
    expect(brotliDecompressSync(br.body).toString()).toBe(BUNDLE);
    expect(gunzipSync(gz.body).toString()).toBe(BUNDLE);
    expect(plain.body.toString()).toBe(BUNDLE);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(plain.body.length);
    for (const res of [br, gz, plain]) {
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['access-control-allow-origin']).toBe('*');
    }
    const tags = [br, gz, plain].map((res) => res.headers.etag);
    expect(new Set(tags).size).toBe(3);
    expect(tags[0]).toMatch(/^"[A-Za-z0-9_-]{22}-br"$/);
  });

  it('answers 304 to a matching If-None-Match, and the new file after a rebuild', async () => {
    t = await withAssets();
    const first = await get(t.url, '/messenger.js', { 'Accept-Encoding': 'gzip' });
    const etag = String(first.headers.etag);
    const again = await get(t.url, '/messenger.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': `W/${etag}, "other"` });
    expect([again.status, again.body.length, again.headers.etag]).toEqual([304, 0, etag]);
    // The identity variant's tag does not validate the gzip one.
    expect((await get(t.url, '/messenger.js', { 'If-None-Match': etag })).status).toBe(200);
    // A rebuild: new bytes, a newer mtime, and the stale precompressed copies are not used.
    const file = join(t.dir, 'messenger.js');
    writeFileSync(file, 'window.ServisBot={v:2};');
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    const rebuilt = await get(t.url, '/messenger.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
    expect([rebuilt.status, rebuilt.headers['content-encoding'], rebuilt.body.toString()]).toEqual([200, undefined, 'window.ServisBot={v:2};']);
  });

  it('serves the source map the bundle points to, and chunks cached for a year (HEAD too)', async () => {
    t = await withAssets();
    const map = await get(t.url, '/messenger.js.map');
    expect([map.status, map.headers['content-type'], map.body.toString()]).toEqual([200, 'application/json; charset=utf-8', '{"version":3}']);
    const chunk = await get(t.url, '/widget/panel-Ab12_-x9.js', { 'Accept-Encoding': 'br, gzip' });
    expect([chunk.status, chunk.headers['content-encoding'], chunk.headers['cache-control']]).toEqual([200, 'gzip', 'public, max-age=31536000, immutable']);
    expect(gunzipSync(chunk.body).toString()).toBe(CHUNK);
    expect(chunk.headers['access-control-allow-origin']).toBe('*');
    const head = await get(t.url, '/widget/panel-Ab12_-x9.js', {}, 'HEAD');
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([200, 0, String(CHUNK.length)]);
  });

  it('serves only scripts and maps from the chunk directory', async () => {
    t = await withAssets();
    for (const path of ['/widget/chunks.json', '/widget/../secret.js', '/widget/%2e%2e%2fsecret.js', '/widget/missing-1234.js', '/widget/panel-Ab12_-x9.js.gz']) {
      expect((await get(t.url, path)).status, path).toBe(404);
    }
  });
});

describe('content negotiation helpers', () => {
  it('reads Accept-Encoding with q-values and *', () => {
    expect([...acceptedEncodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedEncodings('br;q=0, gzip;q=0.5')]).toEqual(['gzip']);
    expect([...acceptedEncodings('*')].sort()).toEqual(['*', 'br', 'gzip']);
    expect([...acceptedEncodings(undefined)]).toEqual([]);
    expect([...acceptedEncodings('GZIP ; q=1')]).toEqual(['gzip']);
  });

  it('compares ETags weakly, in lists, and * matches', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"a-br"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
