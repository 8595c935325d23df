/**
 * Hostile HTTP requests for the fuzz test: the real routes with mutated methods, headers and
 * bodies; odd paths; and raw garbage that is barely (or not) HTTP.
 */
import { randomUUID } from 'node:crypto';
import { Random, brokenJson, deepArrays, deepObjects, mutate, randomJson, randomString } from './random';
import type { RawRequest } from './raw-http';

/** What the generators may aim at. */
export interface HttpTargets {
  apiKey: string;
  /** Origin of the server (allowed on /api/v1). */
  ownOrigin: string;
  /** Pushback ids and chat ids the fuzz may use (never those of the chat the test checks). */
  pushbackIds: readonly string[];
  /** The one pushback the fuzz may delete (the others must stay live for activations to go deep). */
  deletablePushbackId: string;
  chatIds: readonly string[];
}

export type HttpInput = { kind: 'route' | 'odd-path'; request: RawRequest } | { kind: 'raw'; bytes: Buffer; note: string };

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'FOO'];

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD; encodeURIComponent would throw). */
const enc = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

function body(r: Random, valid: () => Record<string, unknown>): string | Buffer {
  switch (r.int(0, 10)) {
    case 0:
      return '';
    case 1:
      return brokenJson(r);
    case 2:
    case 10:
      return r.pick([deepArrays(100_000), `{"a":${deepArrays(30_000)}}`, deepObjects(8000), `{"a":${deepArrays(33)}}`, `{"a":${deepArrays(6000)}}`]);
    case 3:
      return JSON.stringify({ pad: 'x'.repeat(r.pick([64 * 1024, 70 * 1024, 1024 * 1024 + 10])) });
    case 4:
      return Buffer.from(Array.from({ length: r.int(1, 200) }, () => r.int(0, 255)));
    case 5:
      return JSON.stringify(randomJson(r, 4)) ?? '';
    default:
      return JSON.stringify(mutate(r, valid()));
  }
}

function headers(r: Random, t: HttpTargets): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  const auth = r.int(0, 9);
  if (auth <= 5) list.push(['Authorization', `Bearer ${t.apiKey}`]);
  else if (auth === 6) list.push(['Authorization', `Bearer ${enc(randomString(r))}`]);
  else if (auth === 7) list.push(['Authorization', r.pick(['Bearer', 'Basic YTpi', `bearer  ${t.apiKey}  `, `Bearer ${t.apiKey}x`])]);
  if (r.chance(0.6)) list.push(['Content-Type', r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '*/*'])]);
  if (r.chance(0.2)) list.push(['Origin', r.pick([t.ownOrigin, 'https://evil.example', 'null', 'http://127.0.0.1'])]);
  if (r.chance(0.1)) list.push(['X-Request-Id', r.pick(['abc', 'x'.repeat(300), '../../', '%0d%0a'])]);
  if (r.chance(0.05)) list.push(['X-Forwarded-For', r.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1'])]);
  return list;
}

function routeRequest(r: Random, t: HttpTargets): RawRequest {
  const pushbackId = r.chance(0.6) ? r.pick(t.pushbackIds) : r.chance(0.5) ? randomUUID() : enc(randomString(r));
  const chatId = r.chance(0.6) ? r.pick(t.chatIds) : enc(randomString(r));
  const event = r.chance(0.5) ? 'fuzzEvent' : enc(randomString(r, 20));
  const validPushback = () => ({ channelType: 'chatwidget', botId: 'acme-test', chatId: r.pick(t.chatIds), event: 'fuzzEvent', eventData: { n: 1 } });
  const validEvent = () => ({ platform: 'chatwidget', users: r.chance(0.8) ? [r.pick(t.chatIds), randomString(r)] : 'everyone', data: { n: 2 } });
  const routes: Array<() => [string, string, () => Record<string, unknown>]> = [
    () => [r.pick(['POST', 'POST', 'POST', 'GET', 'OPTIONS']), `/pushgate/push_${pushbackId}`, () => ({ n: r.int(0, 9) })],
    () => ['POST', '/api/v1/pushbacks', validPushback],
    () => [r.pick(['GET', 'DELETE']), `/api/v1/pushbacks/${r.chance(0.5) ? t.deletablePushbackId : pushbackId}`, validPushback],
    () => ['POST', `/api/v1/events/${event}`, validEvent],
    () => ['GET', `/api/v1/chats/${chatId}/events?after=${enc(String(randomJson(r, 0)))}&limit=${r.int(-5, 2000)}`, validEvent],
  ];
  const [method, path, valid] = r.pick(routes)();
  return {
    method: r.chance(0.85) ? method : r.pick(METHODS.filter((m) => m !== 'DELETE')),
    path,
    headers: headers(r, t),
    body: body(r, valid),
  };
}

const ODD_PATHS = [
  '/pushgate/push_%00',
  '/pushgate/push_',
  '/pushgate/',
  '/pushgate/push_../../api/v1/pushbacks',
  '/api/v1/../x',
  '/api/v1/%2e%2e/x',
  '/api/v1/pushbacks/%00',
  '/api/v1/pushbacks/%',
  '/api/v1/pushbacks/%ED%A0%80',
  '/api/v1/chats/%C0%AF/events',
  '/pushgate/push_%C0%AF',
  '/api/v1//pushbacks',
  '/api/v1/',
  '/api/v1',
  '/api',
  '//evil.example/x',
  '/%',
  '/%%',
  '/%ZZ',
  '/..%2f..%2fetc/passwd',
  '/.env',
  '/healthz?%',
  '/metrics#x',
  '/ws',
  '/messenger.js',
  '*',
  'http://evil.example/api/v1/pushbacks',
  `/api/v1/pushbacks/${'a'.repeat(5000)}`,
  `/pushgate/push_${'b'.repeat(10_000)}`,
  `/?${'a=1&'.repeat(3000)}`,
  `/${'x'.repeat(20_000)}`,
];

function oddPathRequest(r: Random, t: HttpTargets): RawRequest {
  return { method: r.pick(METHODS), path: r.pick(ODD_PATHS), headers: headers(r, t), body: r.chance(0.3) ? '{}' : '' };
}

function rawGarbage(r: Random, port: number): { bytes: Buffer; note: string } {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const cases: Array<[string, () => string | Buffer]> = [
    ['random bytes', () => Buffer.from(Array.from({ length: r.int(1, 300) }, () => r.int(0, 255)))],
    ['bad version', () => `GET / HTTP/9.9\r\n${host}\r\n`],
    ['HTTP/0.9', () => 'GET /\r\n'],
    ['no host', () => 'GET /healthz HTTP/1.1\r\n\r\n'],
    ['header overflow', () => `GET / HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['many headers', () => `GET / HTTP/1.1\r\n${host}${'X-A: b\r\n'.repeat(3000)}\r\n`],
    ['invalid header char', () => `GET / HTTP/1.1\r\n${host}X-Bad: a\u0000b\r\n\r\n`],
    ['obs-fold', () => `GET / HTTP/1.1\r\n${host}X-A: a\r\n  folded\r\n\r\n`],
    ['CL and TE', () => `POST /pushgate/push_${randomUUID()} HTTP/1.1\r\n${host}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['two CL', () => `POST /api/v1/pushbacks HTTP/1.1\r\n${host}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`],
    ['negative CL', () => `POST /api/v1/pushbacks HTTP/1.1\r\n${host}Content-Length: -1\r\n\r\n`],
    ['bad chunk', () => `POST /api/v1/pushbacks HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
    ['huge chunk', () => `POST /api/v1/pushbacks HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}`],
    ['short body', () => `POST /api/v1/pushbacks HTTP/1.1\r\n${host}Content-Length: 100\r\n\r\n{}`],
    ['pipelined', () => `GET /healthz HTTP/1.1\r\n${host}\r\nGET /nope HTTP/1.1\r\n${host}\r\nPOST /pushgate/push_x HTTP/1.1\r\n${host}Content-Length: 1\r\n\r\n{`],
    ['space in path', () => `GET /a b HTTP/1.1\r\n${host}\r\n`],
    ['utf8 path', () => Buffer.concat([Buffer.from('GET /é\u202e HTTP/1.1\r\n', 'utf8'), Buffer.from(`${host}\r\n`)])],
    ['upgrade junk', () => `GET /ws?organization=acme&endpoint=acme-test HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: !!\r\n\r\n`],
    ['upgrade h2c', () => `GET /api/v1/pushbacks HTTP/1.1\r\n${host}Upgrade: h2c\r\nConnection: Upgrade\r\n\r\n`],
  ];
  const [note, make] = r.pick(cases);
  const made = make();
  return { bytes: Buffer.isBuffer(made) ? made : Buffer.from(made, 'latin1'), note };
}

/** One random input. */
export function httpInput(r: Random, t: HttpTargets, port: number): HttpInput {
  const roll = r.next();
  if (roll < 0.7) return { kind: 'route', request: routeRequest(r, t) };
  if (roll < 0.85) return { kind: 'odd-path', request: oddPathRequest(r, t) };
  return { kind: 'raw', ...rawGarbage(r, port) };
}

/** A printable description of an input (bodies cut to 300 characters). */
export function describeInput(input: HttpInput): string {
  if (input.kind === 'raw') return JSON.stringify({ kind: input.kind, note: input.note, bytes: input.bytes.toString('latin1').slice(0, 300) });
  const { method, path, headers: h, body: b } = input.request;
  return JSON.stringify({ kind: input.kind, method, path: path.slice(0, 300), headers: h, body: b.toString().slice(0, 300) });
}
