/**
 * Hostile websocket frames for the fuzz test: every action with mutated payloads, unknown
 * actions, wrong envelopes, broken and deeply nested JSON, binary frames, text frames that are
 * not UTF-8, and frames over the size limit.
 */
import { Limits } from '../../protocol';
import { Random, ODD_STRINGS, brokenJson, deepArrays, deepObjects, mutate, randomJson, randomString } from './random';

export type WsInput =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Buffer }
  /** A text frame whose bytes are not UTF-8: ws closes with 1007. */
  | { kind: 'invalid-utf8'; data: Buffer }
  /** Over `Limits.frameBytes`: ws closes with 1009. */
  | { kind: 'oversize'; data: string };

/** Close code each closing kind must get. */
export const CLOSE_OF_KIND: Partial<Record<WsInput['kind'], number>> = { 'invalid-utf8': 1007, oversize: 1009 };

const ACTIONS = ['login', 'start_chat', 'send_event', 'send_rich_message_postback', 'page_event', 'update_context', 'ping'];
const ODD_ACTIONS = ['fly', '', 'LOGIN', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'login ', 'x'.repeat(101)];

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same MAC bytes spelled differently: the last character's unused low bit flipped. */
const respell = (mac: string): string => mac.slice(0, -1) + BASE64URL.charAt(BASE64URL.indexOf(mac.slice(-1)) ^ 1);

/** Tokens a visitor might forge: junk, another chat's id with a bad MAC, a tampered real one. */
function token(r: Random, realToken: string): unknown {
  const [chatId = '', issuedAt = '', mac = ''] = realToken.split('.');
  return r.pick<unknown>([
    undefined,
    randomString(r),
    chatId,
    `${chatId}.`,
    `${chatId}.${issuedAt}`,
    `${chatId}.${mac}`,
    `${chatId}.${Number(issuedAt) - 1}.${mac}`,
    // A changed last character (never the real one: a MAC ending in 'A' would make this the real token).
    `${chatId}.${issuedAt}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'Q' : 'A'}`,
    `${chatId}.${issuedAt}.${respell(mac)}`,
    `${chatId}.${issuedAt}.${mac}.`,
    `${chatId}.9999999999.${mac}`,
    'a'.repeat(600),
    42,
    null,
  ]);
}

function context(r: Random): unknown {
  return r.pick<unknown>([
    randomJson(r, 3),
    { plan: 'pro' },
    JSON.parse(deepObjects(Limits.jsonDepth + 1)),
    JSON.parse(deepObjects(Limits.jsonDepth - 1)),
    { big: 'x'.repeat(Limits.contextChars) },
  ]);
}

function payload(r: Random, action: string, realToken: string): Record<string, unknown> {
  const text = () => (r.chance(0.5) ? r.pick(ODD_STRINGS) : randomString(r, 80));
  switch (action) {
    case 'login':
      return { token: token(r, realToken), last_seq: r.pick<unknown>([0, -1, 1e308, '5', 2 ** 53, 3]), history: r.pick<unknown>([true, false, 'yes']), context: context(r) };
    case 'start_chat':
    case 'update_context':
      return { context: context(r) };
    case 'send_event':
      return { event: { type: r.chance(0.9) ? 'message' : randomString(r), text: text(), custom_id: randomString(r, 10) } };
    case 'send_rich_message_postback':
      return { event_id: text(), postback: { id: text(), toggled: r.pick<unknown>([true, false, 'no']) }, custom_id: randomString(r, 10) };
    case 'page_event':
      return { alias: text(), body: context(r), custom_id: randomString(r, 10) };
    default:
      return {};
  }
}

function request(r: Random, realToken: string): string {
  const action = r.chance(0.85) ? r.pick(ACTIONS) : r.chance(0.5) ? r.pick(ODD_ACTIONS) : randomString(r);
  let frame: Record<string, unknown> = {
    request_id: r.chance(0.9) ? `f${r.int(0, 1e6)}` : r.pick<unknown>(['', 7, null, 'x'.repeat(101), r.pick(ODD_STRINGS)]),
    action,
    payload: r.chance(0.8) ? payload(r, action, realToken) : randomJson(r, 3),
  };
  if (r.chance(0.25)) frame = { ...frame, payload: mutate(r, (frame.payload ?? {}) as Record<string, unknown>) };
  if (r.chance(0.1)) frame = mutate(r, frame);
  return JSON.stringify(frame) ?? 'null';
}

/** One random frame; `realToken` is a genuine token the fuzz may tamper with but never send as is. */
export function wsInput(r: Random, realToken: string): WsInput {
  const roll = r.next();
  if (roll < 0.75) return { kind: 'text', data: request(r, realToken) };
  if (roll < 0.83) return { kind: 'text', data: r.chance(0.5) ? brokenJson(r) : JSON.stringify(randomJson(r, 3)) ?? 'null' };
  if (roll < 0.89) {
    return {
      kind: 'text',
      data: r.pick([
        deepArrays(30_000),
        `{"request_id":"d","action":"login","payload":{"context":${deepObjects(8000)}}}`,
        `{"request_id":"d","action":"page_event","payload":{"alias":"a","custom_id":"d","body":{"a":${deepArrays(30_000)}}}}`,
        `{"request_id":"d","action":"update_context","payload":{"context":{"a":${deepArrays(6000)}}}}`,
      ]),
    };
  }
  if (roll < 0.95) return { kind: 'binary', data: Buffer.from(Array.from({ length: r.int(0, 100) }, () => r.int(0, 255))) };
  if (roll < 0.98) return { kind: 'invalid-utf8', data: Buffer.from([0x7b, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x7d]) };
  return { kind: 'oversize', data: 'x'.repeat(Limits.frameBytes + r.int(1, 4096)) };
}

export function describeWsInput(input: WsInput): string {
  const text = Buffer.isBuffer(input.data) ? input.data.toString('hex') : input.data;
  return JSON.stringify({ kind: input.kind, data: text.slice(0, 400), length: text.length });
}
