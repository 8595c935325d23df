import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../test/harness';
import { resolveInside } from './static';

let t: TestServer;
afterEach(async () => {
  await t.close();
});

/** A GET with the path sent verbatim (fetch would normalise `..` away). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function withFiles(): Promise<TestServer> {
  const server = await startServer({});
  const demo = join(server.dir, 'demo');
  mkdirSync(join(demo, 'css'), { recursive: true });
  writeFileSync(join(demo, 'index.html'), '<!doctype html><title>demo</title>');
  writeFileSync(join(demo, 'css', 'site.css'), 'body{}');
  writeFileSync(join(demo, '.env'), 'SECRET=1');
  writeFileSync(join(server.dir, 'messenger.js'), 'window.ServisBot={};');
  writeFileSync(join(server.dir, 'secret.txt'), 'nope');
  await server.close(true);
  return startServer({}, { dir: server.dir, demoDir: demo, widgetFile: join(server.dir, 'messenger.js') });
}

describe('http routes', () => {
  it('answers /healthz', async () => {
    t = await startServer({});
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ status: 'ok', node: expect.any(String) });
  });

  it('serves Prometheus metrics that count connections and chats', async () => {
    t = await startServer({});
    const client = await t.connect();
    await client.call('login');
    const res = await fetch(`${t.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = (await res.text()).split('\n');
    expect(lines).toContain('# TYPE roundel_connections_open gauge');
    expect(lines).toContain('roundel_connections_open 1');
    expect(lines).toContain('roundel_chats_created_total 1');
    expect(lines).toContain('roundel_threads_started_total 1');
    expect(lines).toContain('roundel_events_in_total{kind="start"} 1');
    expect(lines.some((line) => line.startsWith('roundel_store_latency_seconds_count{op="createChat"} 1'))).toBe(true);
  });

  it('counts resumes, pushes sent, closed threads, handler runs and HTTP requests', async () => {
    t = await startServer({ onStart: (ctx) => ctx.say('hi') });
    const first = await t.connect();
    const { token } = await first.call('login');
    await first.pushesUntil(1);
    first.ws.close();
    const again = await t.connect();
    await again.call('login', { token: String(token), last_seq: 1 });
    await again.call('start_chat');
    // seq 2 is the first thread's thread_closed (this tab skips it), 3 the new thread's greeting.
    await again.pushesUntil(3);
    await t.server.idle();
    await fetch(`${t.url}/healthz`);
    await fetch(`${t.url}/nothing-here`);
    const lines = (await (await fetch(`${t.url}/metrics`)).text()).split('\n');
    expect(lines).toContain('roundel_resumes_total{result="recovered"} 1');
    expect(lines).toContain('roundel_chats_created_total 1');
    expect(lines).toContain('roundel_threads_started_total 2');
    expect(lines).toContain('roundel_threads_closed_total 1');
    expect(lines).toContain('roundel_pushes_sent_total{action="incoming_event"} 2');
    expect(lines).toContain('roundel_events_out_total{action="thread_closed"} 1');
    expect(lines).toContain('roundel_handler_duration_seconds_count{kind="start"} 2');
    expect(lines).toContain('roundel_http_requests_total{route="/healthz",status="200"} 1');
    expect(lines).toContain('roundel_http_requests_total{route="static",status="404"} 1');
    expect(lines).toContain('roundel_http_request_duration_seconds_count{route="/healthz"} 1');
  });

  it('serves the widget bundle and the demo directory with content types', async () => {
    t = await withFiles();
    const widget = await fetch(`${t.url}/messenger.js`);
    expect(widget.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await widget.text()).toBe('window.ServisBot={};');
    const index = await fetch(`${t.url}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toBe('<!doctype html><title>demo</title>');
    const css = await fetch(`${t.url}/css/site.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('never serves files outside the demo directory or dot files', async () => {
    t = await withFiles();
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/css/..%2f..%2fsecret.txt', '/.env', '/%00']) {
      const res = await rawGet(t.url, path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body), path).toEqual({ error: { type: 'not_found', message: 'not found' } });
    }
  });

  it('answers 404 JSON for unknown paths and 405 with Allow for wrong methods', async () => {
    t = await startServer({});
    const missing = await fetch(`${t.url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { type: 'not_found', message: 'not found' } });
    const widget = await fetch(`${t.url}/messenger.js`);
    expect(widget.status).toBe(404);
    const wrong = await fetch(`${t.url}/healthz`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(await wrong.json()).toEqual({
      error: { type: 'method_not_allowed', message: 'method DELETE is not allowed here' },
    });
  });
});

describe('resolveInside', () => {
  it('maps paths inside the root and refuses the rest', () => {
    expect(resolveInside('/srv/demo', '/')).toBe('/srv/demo/index.html');
    expect(resolveInside('/srv/demo', '/a/b.js')).toBe('/srv/demo/a/b.js');
    expect(resolveInside('/srv/demo', '/a/')).toBe('/srv/demo/a/index.html');
    expect(resolveInside('/srv/demo', '/../x')).toBeUndefined();
    expect(resolveInside('/srv/demo', '/a%5c..%5cx')).toBeUndefined();
    expect(resolveInside('/srv/demo', '/%E0%A4%A')).toBeUndefined();
  });
});
