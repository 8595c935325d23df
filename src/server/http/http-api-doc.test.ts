/**
 * docs/http-api.md is executable: every fenced `http` request is replayed, in document order,
 * against a real server on port 0 set up as the document says, and the answer must match the
 * documented one (status, every documented header, body by shape). See test/http-examples.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demoBot from '../../bots/demo';
import { ORIGIN } from '../test/harness';
import { call, seedChats, startApiServer, type ApiServer } from '../test/api';
import { Bindings, matchMetricsText, parseExamples, type HttpExample } from '../test/http-examples';

const DOC = fileURLToPath(new URL('../../../docs/http-api.md', import.meta.url));
const examples = parseExamples(readFileSync(DOC, 'utf8'));

/** The setup the document's table describes. */
const ANN = '5b1d0c1e-8f7a-4c3b-9d2e-6a4f1b7c8e90';
const BO = '9e2f4a6b-1c3d-4e5f-8a7b-2c4d6e8f0a1b';
const GLOBEX_CHAT = 'c3a9e1f0-7b2d-4e6a-9c8f-1d5b3a7e9f20';

/** Every route of the HTTP API, as `METHOD path-pattern`: each needs at least one example. */
const ROUTES: Array<[string, RegExp]> = [
  ['GET /healthz', /^GET \/healthz$/],
  ['GET /metrics', /^GET \/metrics$/],
  ['POST /api/v1/pushbacks', /^POST \/api\/v1\/pushbacks$/],
  ['GET /api/v1/pushbacks/{id}', /^GET \/api\/v1\/pushbacks\/[^/]+$/],
  ['DELETE /api/v1/pushbacks/{id}', /^DELETE \/api\/v1\/pushbacks\/[^/]+$/],
  ['POST /pushgate/push_{id}', /^POST \/pushgate\/push_[^/]+$/],
  ['GET /pushgate/push_{id}', /^GET \/pushgate\/push_[^/]+$/],
  ['POST /api/v1/events/{event}', /^POST \/api\/v1\/events\/[^/]+$/],
  ['GET /api/v1/chats/{chatId}/events', /^GET \/api\/v1\/chats\/[^/]+\/events$/],
  ['GET /api/v1/chats/{chatId}', /^GET \/api\/v1\/chats\/[^/?]+$/],
  ['DELETE /api/v1/chats/{chatId}', /^DELETE \/api\/v1\/chats\/[^/?]+$/],
];
const STATUSES = [200, 201, 202, 204, 400, 401, 403, 404, 405];

/** Headers of the request that fetch sets itself. */
const SKIPPED_REQUEST_HEADERS = new Set(['host', 'content-length']);

let t: ApiServer;
const bindings = new Bindings([ANN, BO, GLOBEX_CHAT]);

beforeAll(async () => {
  t = await startApiServer(demoBot, {
    endpoints: [
      { organization: 'acme', endpoint: 'acme-demo', bot: demoBot, allowedOrigins: [ORIGIN], apiKey: 'acme-demo-key-4f7d1c9e2b' },
      { organization: 'globex', endpoint: 'globex-support', bot: demoBot, allowedOrigins: [ORIGIN], apiKey: 'globex-key-8a3e6b0d5f' },
    ],
    publicUrl: 'http://127.0.0.1:8080',
    nodeId: 'web-1',
  });
  seedChats(t.dbPath, [
    { id: ANN, endpoint: 'acme-demo' },
    { id: BO, endpoint: 'acme-demo' },
    { id: GLOBEX_CHAT, endpoint: 'globex-support' },
  ]);
});
afterAll(async () => {
  await t.close();
});

/** Replays one example; returns the differences from the document (empty when it matches). */
async function replay(example: HttpExample): Promise<string[]> {
  const { request, response } = example;
  const headers = Object.fromEntries(
    request.headers.filter(([name]) => !SKIPPED_REQUEST_HEADERS.has(name.toLowerCase())).map(([name, value]) => [name, bindings.apply(value)]),
  );
  const body = request.body === '' ? undefined : bindings.apply(request.body);
  const answer = await call(t.url, bindings.apply(request.path), { method: request.method, headers, body, key: null });
  if (answer.status !== response.status) return [`status: documented ${response.status}, got ${answer.status} ${JSON.stringify(answer.body)}`];
  const failures = response.headers.flatMap(([name, value]) => {
    const actual = answer.headers.get(name) ?? '';
    return bindings.matchString(value, actual) ? [] : [`header ${name}: documented "${value}", got "${actual}"`];
  });
  if (response.body === '') return answer.body === null || answer.body === '' ? failures : [...failures, `body: got ${JSON.stringify(answer.body)}`];
  if (typeof answer.body === 'string') return [...failures, ...matchMetricsText(response.body, answer.body)];
  return [...failures, ...bindings.matchJson(JSON.parse(response.body) as unknown, answer.body)];
}

describe('docs/http-api.md', () => {
  it('has an example for every route and every answer status', () => {
    const requests = examples.map((e) => `${e.request.method} ${e.request.path.split('?')[0]}`);
    expect(ROUTES.filter(([, pattern]) => !requests.some((r) => pattern.test(r))).map(([name]) => name)).toEqual([]);
    expect(STATUSES.filter((status) => !examples.some((e) => e.response.status === status))).toEqual([]);
  });

  for (const example of examples) {
    it(`line ${example.line}: ${example.request.method} ${example.request.path} answers as documented`, async () => {
      // Bots run after the 202; the next example may read what they said.
      await t.server.idle();
      expect(await replay(example)).toEqual([]);
    });
  }
});
