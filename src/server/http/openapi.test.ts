/**
 * docs/openapi.json is complete and true: it is served at /openapi.json, every route the server
 * code names is in it, and the response checker the harness runs on every test request
 * (test/openapi-check.ts) refuses what the document does not allow.
 *
 * Adding a route? Add its path to docs/openapi.json with every method and every status it
 * answers (errors as `"$ref": "#/components/responses/NotFound"` etc.), request and response
 * schemas with an example, then run `npx redocly lint docs/openapi.json`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResponse, documentedPath, openapi } from '../test/openapi-check';
import { startServer, type TestServer } from '../test/harness';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Every non-test .ts file below src/server. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The route templates the server code names: what handlers put in `ctx.route` (logs and metrics
 * name routes by it), the fixed paths the router compares with, and the management API's
 * `template`s (below `/api/v1`).
 */
function routesInCode(): Map<string, string> {
  const routes = new Map<string, string>();
  for (const file of sources(SERVER_DIR)) {
    const text = readFileSync(file, 'utf8');
    const name = file.slice(SERVER_DIR.length);
    for (const [, route] of text.matchAll(/\.route = '(\/[^']*)'/g)) routes.set(route ?? '', name);
    for (const [, route] of text.matchAll(/path === '(\/[^']*)'/g)) routes.set(route ?? '', name);
    if (/\/api\/v1\$\{/.test(text)) {
      for (const [, route] of text.matchAll(/(?:template: |_TEMPLATE = )'(\/[^']*)'/g)) routes.set(`/api/v1${route ?? ''}`, name);
    }
  }
  return routes;
}

describe('docs/openapi.json', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({}, { publicUrl: 'https://chat.example.com' });
  });
  afterAll(() => t.close());

  it('is served at /openapi.json with this server as its server, at the package version', async () => {
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const served = (await res.json()) as typeof openapi & { servers: unknown; info: { version: string } };
    expect(served.servers).toEqual([{ url: 'https://chat.example.com', description: 'this server' }]);
    expect({ ...served, servers: openapi.servers }).toEqual(openapi);
    expect(served.info.version).toBe(pkg.version);
  });

  it('lists every route the server code names', () => {
    const routes = routesInCode();
    expect(routes.size).toBeGreaterThan(8);
    const missing = [...routes].filter(([route]) => documentedPath(route) === undefined);
    expect(
      missing.map(([route, file]) => `${route} (named in src/server/${file}) is missing from docs/openapi.json: add paths["${route}"] with every method and status it answers, then run npx redocly lint docs/openapi.json`),
    ).toEqual([]);
  });

  it('describes the contract: routes, statuses, the error schema, bearer auth, Idempotency-Key and webhooks', () => {
    const paths = openapi.paths as Record<string, Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>>;
    for (const route of ['/', '/messenger.js', '/healthz', '/metrics', '/ws', '/openapi.json', '/agent/', '/agent/rtm']) {
      expect(paths[route], route).toBeDefined();
    }
    expect(Object.keys(paths['/pushgate/push_{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(paths['/api/v1/pushbacks/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(Object.keys(paths['/api/v1/chats/{chatId}'] ?? {})).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(Object.keys(paths['/healthz']?.get?.responses ?? {})).toEqual(expect.arrayContaining(['200', '503']));
    expect(Object.keys(paths['/pushgate/push_{id}']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '400', '404', '413', '429']),
    );
    for (const [route, method] of [['/pushgate/push_{id}', 'post'], ['/api/v1/pushbacks', 'post'], ['/api/v1/events/{event}', 'post']] as const) {
      expect(JSON.stringify(paths[route]?.[method]?.parameters), `${method} ${route}`).toContain('Idempotency-Key');
    }
    const components = openapi.components as { securitySchemes: Record<string, unknown> };
    expect(components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(openapi.webhooks as object)).toEqual(expect.arrayContaining(['incoming_chat_thread', 'incoming_event', 'thread_closed']));
  });
});

/** Paths next to the documented ones, which the server must refuse as the document allows (404/405). */
const AROUND = ['/api', '/api/', '/api/v1', '/api/v1/', '/api/v1/x', '/api/v1/chats', '/api/v1/events', '/api/v1/pushbacks/x/y', '/pushgate', '/pushgate/', '/files/', '/agent/x', '/ws/x', '/nope/a/b'];
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

describe('every method on every path', () => {
  it('is answered as docs/openapi.json says, with and without an API key (the harness checks each answer)', async () => {
    const t = await startServer({});
    // Each documented template with its parameters filled in (`lang` with a language the server has).
    const documented = Object.keys(openapi.paths).map((template) => template.replace('{lang}', 'en').replace(/\{[^}]+\}/g, 'x1'));
    const paths = [...documented, ...AROUND];
    expect(paths.length).toBeGreaterThan(30);
    let answers = 0;
    for (const path of paths) {
      for (const method of ALL_METHODS) {
        for (const key of [undefined, 'test-key-acme']) {
          const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{}' : undefined;
          const headers: Record<string, string> = {};
          if (key) headers.authorization = `Bearer ${key}`;
          if (body) headers['content-type'] = 'application/json';
          const res = await fetch(`${t.url}${path}`, { method, headers, body, redirect: 'manual' });
          await res.arrayBuffer();
          answers += 1;
        }
      }
    }
    expect(answers).toBe(paths.length * ALL_METHODS.length * 2);
    // close() fails with every answer outside the document.
    await t.close();
  });
});

describe('the response check the harness applies', () => {
  const exchange = { method: 'GET', path: '/healthz', status: 200, contentType: 'application/json; charset=utf-8', body: '{"status":"ok"}' };

  it('passes a documented answer', () => {
    expect(checkResponse(exchange)).toEqual([]);
  });

  it('fails a served route the document lacks, and an undocumented method that succeeds', () => {
    expect(checkResponse({ ...exchange, path: '/api/v2/things/1' })[0]).toMatch(/GET \/api\/v2\/things\/1 → 200: the path is not in docs\/openapi.json: add it/);
    expect(checkResponse({ ...exchange, method: 'PUT', path: '/api/v1/pushbacks/x', body: '{}' })[0]).toMatch(/PUT \/api\/v1\/pushbacks\/\{id\} is not in docs\/openapi.json/);
  });

  it('lets undocumented paths and methods be refused as not there (404, 405), with the JSON error body only', () => {
    const refusal = { ...exchange, method: 'PATCH', path: '/api/v1/pushbacks/x', status: 405, body: '{"error":{"type":"method_not_allowed","message":"m"}}' };
    expect(checkResponse(refusal)).toEqual([]);
    expect(checkResponse({ ...refusal, path: '/api/v2', status: 404 })).toEqual([]);
    expect(checkResponse({ ...refusal, status: 429 })).toEqual([]);
    // A browser page of another origin is refused by the management API before routing.
    const browser = { ...refusal, status: 403, body: '{"error":{"type":"authentication","message":"m"}}' };
    expect(checkResponse({ ...browser, origin: 'https://evil.example' })).toEqual([]);
    expect(checkResponse(browser)[0]).toMatch(/PATCH \/api\/v1\/pushbacks\/\{id\} is not in docs\/openapi.json/);
    expect(checkResponse({ ...refusal, body: '{"error":"nope"}' })[0]).toMatch(/does not match docs\/openapi.json#\/components\/schemas\/Error/);
  });

  it('fails any other answer to an undocumented path or method: it answers a route the document is missing', () => {
    const unauthorized = { method: 'HEAD', path: '/api/v1', status: 401, contentType: 'application/json', body: '' };
    // `/api/v1` has the shape of a static file's path (`/{dir}/{file}`), whose HEAD never answers 401.
    expect(checkResponse(unauthorized)[0]).toMatch(/HEAD \/api\/v1 → 401: status 401 is not documented for HEAD \/\{dir\}\/\{file\}/);
    expect(checkResponse({ ...unauthorized, path: '/api/v1/x/y' })[0]).toMatch(/HEAD \/api\/v1\/x\/y → 401: the path is not in docs\/openapi.json/);
    expect(checkResponse({ ...unauthorized, method: 'PUT', path: '/api/v1/pushbacks/x' })[0]).toMatch(/PUT \/api\/v1\/pushbacks\/\{id\} is not in docs\/openapi.json/);
    // HEAD is documented where it is served, not implied by GET.
    expect(checkResponse({ ...unauthorized, path: '/api/v1/pushbacks/x', status: 200 })[0]).toMatch(/HEAD \/api\/v1\/pushbacks\/\{id\} is not in docs\/openapi.json/);
    expect(checkResponse({ ...exchange, method: 'HEAD', body: '' })).toEqual([]);
  });

  it('fails an undocumented status and a body outside the schema', () => {
    expect(checkResponse({ ...exchange, status: 418 })[0]).toMatch(/status 418 is not documented for GET \/healthz/);
    expect(checkResponse({ ...exchange, body: '{"status":"maybe"}' })[0]).toMatch(/\/status must be equal to one of the allowed values/);
    const pushback = { method: 'GET', path: '/api/v1/pushbacks/x', status: 200, contentType: 'application/json', body: '{"id":"x"}' };
    expect(checkResponse(pushback)[0]).toMatch(/must have required property 'channelType'/);
  });
});
