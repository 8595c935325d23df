// Scenario "connections": server RSS per idle connected dialog at N dialogs (clients in their
// own process), and the time one POST takes to reach all N (Roundel: `POST /api/v1/events/{event}`
// with `users: 'everyone'`; baselines: a broadcast), for Roundel, the floor and Socket.IO.
import { Agent, get } from 'node:http';
import { API_KEY, starters } from './lib/servers.mjs';
import { log, quantile, round, rssOf, runClient, sleep } from './lib/util.mjs';
import { TARGETS } from './pushgate.mjs';

/**
 * Asks `GET {url}/healthz` every `everyMs`, one request at a time, until `stop()`; resolves with
 * the latency quantiles. Any answer counts (the baselines have no such route and answer 405): the
 * figure is how long the server takes to answer anything while it fans out.
 */
function probeHealth(url, everyMs = 20) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples = [];
  const slow = [];
  const started = performance.now();
  let running = true;
  const once = () =>
    new Promise((done) => {
      const t0 = performance.now();
      const req = get(`${url}/healthz`, { agent }, (res) => {
        res.resume();
        res.once('end', () => done(performance.now() - t0));
      });
      req.once('error', () => done(null));
    });
  const loop = (async () => {
    while (running) {
      const ms = await once();
      if (ms !== null) samples.push(ms);
      if (ms !== null && ms > 50) slow.push([Math.round(performance.now() - ms - started), Math.round(ms)]);
      await sleep(everyMs);
    }
    agent.destroy();
  })();
  return async () => {
    running = false;
    await loop;
    return { count: samples.length, p50Ms: round(quantile(samples, 0.5)), p99Ms: round(quantile(samples, 0.99)), maxMs: round(quantile(samples, 1)), slow };
  };
}


/** `targets` picks servers (default all three): a probe of one build runs `['roundel']` alone. */
export async function runConnections({ quick, targets = TARGETS }) {
  const count = quick ? 1000 : 10_000;
  const settleMs = quick ? 1500 : 3000;
  const results = {};
  for (const kind of targets) {
    const server = await starters[kind]();
    let stopProbe;
    try {
      await sleep(1000);
      const before = rssOf(server.pid);
      let after = 0;
      let probed;
      const r = await runClient(
        'idle-clients.mjs',
        { kind, url: server.url, apiKey: API_KEY, count, timeoutMs: quick ? 30_000 : 240_000 },
        {
          timeoutMs: quick ? 90_000 : 480_000,
          onMessage: async (message, child) => {
            if (message.type === 'delivered') probed = stopProbe?.();
            if (message.type !== 'connected') return;
            await sleep(settleMs);
            after = rssOf(server.pid);
            stopProbe = probeHealth(server.url);
            child.send({ type: 'fanout' });
          },
        },
      );
      // Stopped when the last push (and reply) arrived; the closing of the N sockets is not measured.
      const healthz = (await (probed ?? stopProbe?.())) ?? null;
      results[kind] = {
        dialogs: count,
        healthz,
        rssBeforeBytes: before,
        rssIdleBytes: after,
        bytesPerDialog: Math.round((after - before) / count),
        ...r,
      };
      log(`connections: ${kind} ${Math.round((after - before) / count)} B/dialog, fan-out to ${count} in ${r.lastPushMs} ms (reply ${r.lastReplyMs ?? '-'} ms), /healthz p99 ${healthz?.p99Ms ?? '-'} ms, setup ${Math.round(r.setupMs)} ms`);
    } finally {
      await stopProbe?.();
      await server.stop();
    }
  }
  const per = (k) => results[k]?.bytesPerDialog;
  return {
    dialogs: count,
    settleMs,
    targets: results,
    ratios: {
      roundelOverFloorBytesPerDialog: round(per('roundel') / per('floor'), 2),
      roundelOverSocketIoBytesPerDialog: round(per('roundel') / per('socketio'), 2),
      roundelOverFloorFanout: round(results.roundel?.lastPushMs / results.floor?.lastPushMs, 1),
      roundelOverSocketIoFanout: round(results.roundel?.lastPushMs / results.socketio?.lastPushMs, 1),
    },
  };
}
