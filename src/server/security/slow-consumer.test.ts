/**
 * A client that stops reading (its TCP socket paused) is disconnected as a slow consumer
 * (4003) once the server's unsent buffer for it passes the limit, while another tab of the same
 * chat keeps receiving everything.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../logger';
import type { Bot } from '../runtime/types';
import { deferred, startServer, type TestServer } from '../test/harness';

/** Each `flood` message makes the bot send 100 messages of 4000 characters (about 400 KB). */
const floodBot: Bot = {
  async onMessage(ctx, text) {
    if (text !== 'flood') return;
    for (let i = 0; i < 100; i += 1) await ctx.say('z'.repeat(4000));
  },
};

let t: TestServer;
afterEach(async () => {
  await t.close();
});

/** A logger that resolves `slow` at the first slow-consumer warning and `reaped` when a stalled socket is terminated. */
function watchingLogger() {
  const slow = deferred<LogFields>();
  const reaped = deferred<LogFields>();
  const noop = () => {};
  const logger: Logger = {
    debug(msg, fields) {
      if (msg === 'terminating a websocket that did not finish closing') reaped.resolve(fields ?? {});
    },
    info: noop,
    error: noop,
    warn(msg, fields) {
      if (msg === 'closing a slow websocket consumer') slow.resolve(fields ?? {});
    },
  };
  return { logger, slow: slow.promise, reaped: reaped.promise };
}

const socketOf = (ws: unknown): Socket => (ws as { _socket: Socket })._socket;

/** Two tabs of one chat; the first stopped reading (its TCP socket paused). */
async function twoTabsOneStalled() {
  const stalled = await t.connect();
  const { token } = await stalled.call('login');
  const reader = await t.connect();
  await reader.call('login', { token, last_seq: 0 });
  socketOf(stalled.ws).pause();
  return { stalled, reader };
}

/** Sends `flood` from `reader` until `done()` (at most 40 times); returns how many were sent. */
async function floodUntil(reader: Awaited<ReturnType<TestServer['connect']>>, done: () => boolean): Promise<number> {
  let floods = 0;
  while (!done() && floods < 40) {
    floods += 1;
    await reader.call('send_event', { event: { type: 'message', text: 'flood', custom_id: `f${floods}` } });
    await t.server.idle();
  }
  return floods;
}

describe('slow consumers', () => {
  it('closes a client that stopped reading with 4003 and keeps serving the other tab', async () => {
    const { logger, slow } = watchingLogger();
    let closedSlow = false;
    void slow.then(() => (closedSlow = true));
    t = await startServer(floodBot, {
      logger,
      slowConsumer: { maxBufferedBytes: 64 * 1024, graceMs: 50 },
      closeGraceMs: 30_000, // long enough for the test to read what was queued before the close frame
      messageRateLimit: { burst: 100, perSecond: 100 },
      synchronous: 'NORMAL', // the flood writes megabytes; durability is not what this test is about
    });
    const { stalled, reader } = await twoTabsOneStalled();
    const floods = await floodUntil(reader, () => closedSlow);
    expect(closedSlow).toBe(true);
    // The reader got every push of the chat, in order: one visitor message and 100 answers per flood.
    const last = floods * 101;
    const pushes = await reader.pushesUntil(last);
    expect(pushes.map((p) => p.payload.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(await reader.call('ping')).toEqual({});

    socketOf(stalled.ws).resume();
    expect(await stalled.waitClose()).toBe(4003);
  }, 30_000);

  it('terminates a stalled client that does not finish the close handshake within closeGraceMs', async () => {
    const { logger, slow, reaped } = watchingLogger();
    t = await startServer(floodBot, {
      logger,
      slowConsumer: { maxBufferedBytes: 64 * 1024, graceMs: 50 },
      closeGraceMs: 50,
      synchronous: 'NORMAL', // the flood writes megabytes; durability is not what this test is about
    });
    const { stalled, reader } = await twoTabsOneStalled();
    let closedSlow = false;
    void slow.then(() => (closedSlow = true));
    await floodUntil(reader, () => closedSlow);
    expect(closedSlow).toBe(true);
    // Terminated after 50 ms, without the stalled client doing anything.
    expect(await reaped).toMatchObject({ code: 4003 });
    socketOf(stalled.ws).resume();
    expect(await stalled.waitClose()).toBe(1006); // the close frame never got out: terminated
  }, 30_000);
});
