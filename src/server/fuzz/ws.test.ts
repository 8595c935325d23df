/**
 * Fuzzes every websocket action: thousands of seeded hostile frames over several connections.
 * Holds when every frame the server sends is a well-formed server frame, no error is `internal`,
 * the only closes are ws's own for frames that are too big (1009) or not UTF-8 (1007), nothing
 * crashes, the heap returns to its baseline, and everything accepted before is still delivered.
 *
 * Replay a failure with ROUNDEL_FUZZ_SEED=<seed>; ROUNDEL_FUZZ_COUNT=<n> runs longer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseServerFrame, type StoredPush } from '../../protocol';
import type { Bot } from '../runtime/types';
import { ORIGIN, startServer, type TestServer } from '../test/harness';
import { mib, settledHeapUsed } from './heap';
import { Random } from './random';
import { CLOSE_OF_KIND, describeWsInput, wsInput } from './ws-inputs';

const SEED = Number(process.env.ROUNDEL_FUZZ_SEED ?? 0x5eed02);
const COUNT = Number(process.env.ROUNDEL_FUZZ_COUNT ?? 4000);
const LOOPS = 4;
/** A sentinel ping after this many frames proves the server answered everything before it. */
const SENTINEL_EVERY = 25;

const bot: Bot = {
  onStart: (ctx) => ctx.say('welcome'),
  onMessage: (ctx, text) => ctx.say(`echo ${text.length}`),
  onPageEvent: (ctx, alias) => ctx.say(`page ${alias.length}`),
};

let t: TestServer;
let checked: { token: string; pushes: StoredPush[] };

beforeAll(async () => {
  t = await startServer(bot, { messageRateLimit: { burst: 1e6, perSecond: 1e6 }, httpRateLimit: false, retention: { maxEvents: 100_000 } });
  const a = await t.connect();
  const { token } = await a.call('login');
  for (const n of [1, 2, 3]) await a.call('send_event', { event: { type: 'message', text: `m${n}`, custom_id: `c${n}` } });
  await a.call('page_event', { alias: 'pricing', body: { plan: 'pro' }, custom_id: 'p1' });
  checked = { token: String(token), pushes: await a.pushesUntil(8) };
  a.ws.close();
});

afterAll(async () => {
  await t.close();
});

/** A raw client: every text frame checked as it arrives; waits for a response id or the close. */
class FuzzSocket {
  readonly errorTypes = new Map<string, number>();
  problem: string | undefined;
  closeCode: number | undefined;
  private readonly waiters = new Map<string, (result: 'answered' | number) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const parsed = isBinary ? undefined : parseServerFrame(data.toString());
      if (!parsed?.ok) {
        this.problem ??= `malformed server frame: ${data.toString().slice(0, 300)}`;
        return;
      }
      const frame = parsed.value;
      if (frame.type !== 'response') return;
      if (!frame.success) {
        this.errorTypes.set(frame.error.type, (this.errorTypes.get(frame.error.type) ?? 0) + 1);
        if (frame.error.type === 'internal') this.problem ??= `internal error: ${data.toString().slice(0, 300)}`;
      }
      this.waiters.get(frame.request_id)?.('answered');
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.waiters.values()) wake(code);
    });
  }

  static open(): Promise<FuzzSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(t.wsUrl(), { headers: { Origin: ORIGIN } });
      const socket = new FuzzSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  /** Sends a ping with `id` and resolves once it is answered, or with the close code. */
  sentinel(id: string): Promise<'answered' | number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    const answered = new Promise<'answered' | number>((resolve) => this.waiters.set(id, resolve));
    this.ws.send(JSON.stringify({ request_id: id, action: 'ping' }));
    return answered;
  }

  closed(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
  }
}

/** One loop of `count` frames; returns the error types seen. Throws with the seed and frame on a violation. */
async function fuzzLoop(seed: number, count: number): Promise<Map<string, number>> {
  const random = new Random(seed);
  const seen = new Map<string, number>();
  let socket = await FuzzSocket.open();
  let last = '';
  const fail = (index: number, why: string) => new Error(`seed ${seed} frame #${index}: ${why}\nlast frame: ${last}`);
  const retire = (s: FuzzSocket) => {
    for (const [type, n] of s.errorTypes) seen.set(type, (seen.get(type) ?? 0) + n);
  };
  for (let i = 0; i < count; i += 1) {
    if (random.chance(0.02)) await socket.sentinel(`login-${i}`).then(() => socket.ws.send(JSON.stringify({ request_id: `l${i}`, action: 'login' })));
    const input = wsInput(random, checked.token);
    last = describeWsInput(input);
    socket.ws.send(input.data, { binary: input.kind === 'binary' });
    const expectedClose = CLOSE_OF_KIND[input.kind];
    if (expectedClose !== undefined) {
      const code = await socket.closed();
      if (code !== expectedClose) throw fail(i, `closed with ${code}, expected ${expectedClose}`);
    } else if (i % SENTINEL_EVERY === SENTINEL_EVERY - 1 || i === count - 1) {
      const result = await socket.sentinel(`sentinel-${i}`);
      if (result !== 'answered') throw fail(i, `connection closed with ${result}`);
    }
    if (socket.problem) throw fail(i, socket.problem);
    if (socket.closeCode !== undefined) {
      retire(socket);
      socket = await FuzzSocket.open();
    }
  }
  retire(socket);
  socket.ws.close();
  await socket.closed();
  return seen;
}

async function fuzz(seed: number, count: number): Promise<Map<string, number>> {
  const results = await Promise.all(Array.from({ length: LOOPS }, (_, k) => fuzzLoop(seed + k, Math.ceil(count / LOOPS))));
  const total = new Map<string, number>();
  for (const result of results) for (const [type, n] of result) total.set(type, (total.get(type) ?? 0) + n);
  return total;
}

describe('websocket fuzz', () => {
  it(`answers ${COUNT} hostile frames with error frames only, keeps memory flat and every accepted event`, async () => {
    await fuzz(SEED ^ 0xffff, 400); // warm-up
    await t.server.idle();
    const before = await settledHeapUsed();
    const errors = await fuzz(SEED, COUNT);
    await t.server.idle();
    const after = await settledHeapUsed();
    const summary = [...errors].map(([type, n]) => `${type}:${n}`).join(' ');
    console.info(`ws fuzz seed ${SEED}: ${COUNT} frames, error responses ${summary}; heap ${mib(before)} -> ${mib(after)}`);
    expect(errors.has('internal')).toBe(false);
    expect(after - before).toBeLessThan(4 * 1024 * 1024);

    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok', node: expect.any(String) });
    const c = await t.connect();
    const login = await c.call('login', { token: checked.token, last_seq: 0 });
    expect(login.resumed).toBe(true);
    expect(await c.pushesUntil(8)).toEqual(checked.pushes);
  }, 60_000);
});
