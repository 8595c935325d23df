/**
 * Fuzzes every HTTP route: thousands of seeded random and malformed requests. Holds when the
 * server answers only 4xx (or closes an unparseable connection), every error body is the
 * contract's `{"error":{"type","message"}}`, nothing crashes, the heap returns to its baseline,
 * and everything accepted before the fuzz is still delivered, in order.
 *
 * Inputs are drawn from one seeded stream in index order, so input #i is the same whichever of
 * the concurrent workers sends it and however slow the machine is. The default count keeps the
 * test to a few seconds on a quiet machine and far inside its limit on a loaded 2-core one; no
 * exchange has a tight deadline (only a server that never answers fails it).
 *
 * Replay a failure with ROUNDEL_FUZZ_SEED=<seed>; ROUNDEL_FUZZ_COUNT=<n> runs longer.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_TYPES, type StoredPush } from '../../protocol';
import type { Bot } from '../runtime/types';
import { startServer, type TestServer } from '../test/harness';
import { mib, settledHeapUsed } from './heap';
import { describeInput, httpInput, type HttpInput, type HttpTargets } from './http-inputs';
import { Random } from './random';
import { formatRequest, rawExchange, type RawResponse } from './raw-http';

const SEED = Number(process.env.ROUNDEL_FUZZ_SEED ?? 0x5eed01);
const COUNT = Number(process.env.ROUNDEL_FUZZ_COUNT ?? 1200);
const WARM_UP = 200;
const CONCURRENCY = 4;
/** Per exchange: generous, so that only a server that never answers fails it, not a loaded machine. */
const EXCHANGE_TIMEOUT_MS = 30_000;
const KEY = 'fuzz-key-0123456789';

const bot: Bot = {
  onStart: (ctx) => ctx.say('welcome'),
  onMessage: (ctx, text) => ctx.say(`echo ${text.length}`),
  onEvent: (ctx, event) => ctx.say(`event ${event.length}`),
};

let t: TestServer;
let port: number;
let checked: { token: string; pushes: StoredPush[] };
let targets: HttpTargets;

async function api(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.url}/api/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  t = await startServer(bot, {
    endpoints: [{ organization: 'acme', endpoint: 'acme-test', bot, allowedOrigins: ['https://shop.example'], apiKey: KEY }],
    // The per-client and per-pushback limits have their own tests; here they would only turn
    // most of the fuzz into 429s before it reaches the code behind them.
    httpRateLimit: false,
    pushgateRateLimit: { burst: 1e6, perSecond: 1e6 },
    retention: { maxEvents: 100_000 },
  });
  port = (t.server.httpServer.address() as AddressInfo).port;
  // The chat whose events must survive: a start, three messages, three pushback activations.
  const a = await t.connect();
  const { token, chat_id: chatId } = await a.call('login');
  await a.pushesUntil(1);
  for (const n of [1, 2, 3]) await a.call('send_event', { event: { type: 'message', text: `m${n}`, custom_id: `c${n}` } });
  for (const n of [1, 2, 3]) {
    const pushback = await api('/pushbacks', { channelType: 'chatwidget', botId: 'acme-test', chatId, event: `e${n}`, eventData: {} });
    const res = await fetch(String(pushback.link), { method: 'POST', body: JSON.stringify({ n }) });
    expect(res.status).toBe(202);
  }
  checked = { token: String(token), pushes: await a.pushesUntil(10) };
  a.ws.close();
  // A second chat the fuzz may aim at.
  const b = await t.connect();
  const other = String((await b.call('login')).chat_id);
  const ids: string[] = [];
  for (const event of ['f1', 'f2', 'f3', 'f4']) {
    ids.push(String((await api('/pushbacks', { channelType: 'chatwidget', botId: 'acme-test', chatId: other, event, eventData: {} })).id));
  }
  b.ws.close();
  const [deletablePushbackId = '', ...pushbackIds] = ids;
  targets = { apiKey: KEY, ownOrigin: new URL(t.url).origin, pushbackIds, deletablePushbackId, chatIds: [other] };
});

afterAll(async () => {
  await t.close();
});

const STATUS_OF_TYPE: Record<string, number[]> = {
  validation: [400, 431],
  authentication: [401, 403],
  not_found: [404],
  method_not_allowed: [405],
  request_timeout: [408],
  entity_too_large: [413],
  too_many_requests: [429],
};

/** Why `response` breaks the rules, or undefined. */
function violation(input: HttpInput, response: RawResponse): string | undefined {
  if (response.statuses.some((status) => status >= 500)) return `5xx among ${JSON.stringify(response.statuses)}`;
  if (response.status === 0) return input.kind === 'raw' ? undefined : 'closed without an answer';
  // Bytes that are barely HTTP are Node's parser's to refuse (400 without a body for a missing Host).
  if (response.status < 400 || input.kind === 'raw' || input.request.method === 'HEAD') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return `error body is not JSON: ${response.body.slice(0, 200)}`;
  }
  const error = (body as { error?: { type?: unknown; message?: unknown } }).error;
  const keys = Object.keys(body as object);
  if (keys.length !== 1 || !error || typeof error.message !== 'string' || !(ERROR_TYPES as readonly unknown[]).includes(error.type)) {
    return `error body is not the contract's: ${response.body.slice(0, 200)}`;
  }
  if (!STATUS_OF_TYPE[String(error.type)]?.includes(response.status)) return `status ${response.status} with type ${String(error.type)}`;
  return undefined;
}

function bytesOf(input: HttpInput): Buffer {
  return input.kind === 'raw' ? input.bytes : formatRequest(port, input.request);
}

/** Runs `count` inputs from `random`, `CONCURRENCY` at a time; returns status counts. Throws with the seed and input on the first violation. */
async function fuzz(random: Random, count: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const input = httpInput(random, targets, port);
      const response = await rawExchange(port, bytesOf(input), input.kind === 'raw', EXCHANGE_TIMEOUT_MS).catch((error: unknown) => {
        throw new Error(`seed ${random.seed} input #${index}: ${String(error)}\n${describeInput(input)}`);
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const problem = violation(input, response);
      if (problem) throw new Error(`seed ${random.seed} input #${index}: ${problem}\n${describeInput(input)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

describe('HTTP fuzz', () => {
  it(`answers ${COUNT} hostile requests with 4xx only, keeps memory flat and every accepted event`, async () => {
    await fuzz(new Random(SEED ^ 0xffff), WARM_UP); // warm-up: lazily built state is not a leak
    await t.server.idle();
    const before = await settledHeapUsed();
    const statuses = await fuzz(new Random(SEED), COUNT);
    await t.server.idle();
    const after = await settledHeapUsed();
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
    console.info(`http fuzz seed ${SEED}: ${COUNT} inputs, statuses ${summary}; heap ${mib(before)} -> ${mib(after)}`);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    expect(after - before).toBeLessThan(4 * 1024 * 1024);

    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok', node: expect.any(String) });
    const c = await t.connect();
    const login = await c.call('login', { token: checked.token, last_seq: 0 });
    expect(login.resumed).toBe(true);
    expect((await c.pushesUntil(10)).slice(0, 10)).toEqual(checked.pushes);
  }, 180_000);
});
