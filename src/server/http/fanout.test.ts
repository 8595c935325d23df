/**
 * An external event to "everyone" over a few thousand stored chats: the 202 comes once every
 * inbox item is stored, every chat gets its multicast and its bot answer, and the server keeps
 * answering other requests (here /healthz, polled back to back) while the batches are stored: the
 * fan-out yields between batches instead of holding the event loop to its end. How fast /healthz
 * answers meanwhile (p99 over 10,000 chats) is measured by `npm run bench` (connections), not here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../runtime/types';
import { countRows, seedChats, startApiServer, type ApiServer } from '../test/api';

/** Enough batches (fanout.ts stores FANOUT_BATCH chats per write) for the loop to have to yield many times. */
const CHATS = 2_000;

let t: ApiServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * Polls /healthz back to back until `stop()`; `answered()` is how many 200s came back so far. A
 * poll that gets anything but 200 fails the test.
 */
function pollHealthz(url: string): { answered(): number; stop(): Promise<void> } {
  let answered = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      answered += 1;
    }
  })();
  return {
    answered: () => answered,
    async stop() {
      running = false;
      await loop;
    },
  };
}

const bot: Bot = {
  onEvent: (ctx, event, data) => ctx.say(`${event}: ${String(data.text)}`),
};

describe('an external event to everyone', () => {
  it(`is stored for ${CHATS} chats while /healthz keeps answering during the fan-out`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roundel-fanout-'));
    seedChats(
      join(dir, 'roundel.db'),
      Array.from({ length: CHATS }, (_, i) => ({ id: `seed-${String(i).padStart(5, '0')}` })),
    );
    t = await startApiServer(bot, { dir });

    const poll = pollHealthz(t.url);
    // The first answer proves the poller is connected, so the count below is about the fan-out.
    while (poll.answered() === 0) await new Promise((resolve) => setImmediate(resolve));
    const before = poll.answered();
    const res = await t.call('/api/v1/events/announcement', {
      body: { users: 'everyone', platform: 'any', data: { text: 'Doors open at nine' } },
    });
    const duringFanOut = poll.answered() - before;
    expect(res).toMatchObject({ status: 202, body: { event: 'announcement', matched: CHATS } });
    expect(countRows(t.dbPath, `SELECT COUNT(*) AS n FROM inbox WHERE kind = 'event'`)).toBe(CHATS);
    // One poll may be answered before the fan-out starts; more mean the loop yielded between batches.
    expect(duringFanOut).toBeGreaterThan(2);

    await t.server.idle();
    await poll.stop();
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM inbox WHERE processed_at IS NULL')).toBe(0);
    // Each chat: the incoming_multicast push and the bot's answer.
    expect(countRows(t.dbPath, 'SELECT COUNT(*) AS n FROM events')).toBe(2 * CHATS);
  }, 120_000);
});
