// Scenario "connections": server RSS per idle connected dialog at N dialogs (clients in their
// own process), and the time one POST takes to reach all N (Roundel: `POST /api/v1/events/{event}`
// with `users: 'everyone'`; baselines: a broadcast), for Roundel, the floor and Socket.IO.
import { API_KEY, starters } from './lib/servers.mjs';
import { log, round, rssOf, runClient, sleep } from './lib/util.mjs';
import { TARGETS } from './pushgate.mjs';


export async function runConnections({ quick }) {
  const count = quick ? 1000 : 10_000;
  const settleMs = quick ? 1500 : 3000;
  const results = {};
  for (const kind of TARGETS) {
    const server = await starters[kind]();
    try {
      await sleep(1000);
      const before = rssOf(server.pid);
      let after = 0;
      const r = await runClient(
        'idle-clients.mjs',
        { kind, url: server.url, apiKey: API_KEY, count, timeoutMs: quick ? 30_000 : 240_000 },
        {
          timeoutMs: quick ? 90_000 : 480_000,
          onMessage: async (message, child) => {
            if (message.type !== 'connected') return;
            await sleep(settleMs);
            after = rssOf(server.pid);
            child.send({ type: 'fanout' });
          },
        },
      );
      results[kind] = {
        dialogs: count,
        rssBeforeBytes: before,
        rssIdleBytes: after,
        bytesPerDialog: Math.round((after - before) / count),
        ...r,
      };
      log(`connections: ${kind} ${Math.round((after - before) / count)} B/dialog, fan-out to ${count} in ${r.lastPushMs} ms (reply ${r.lastReplyMs ?? '-'} ms), setup ${Math.round(r.setupMs)} ms`);
    } finally {
      await server.stop();
    }
  }
  const per = (k) => results[k].bytesPerDialog;
  return {
    dialogs: count,
    settleMs,
    targets: results,
    ratios: {
      roundelOverFloorBytesPerDialog: round(per('roundel') / per('floor'), 2),
      roundelOverSocketIoBytesPerDialog: round(per('roundel') / per('socketio'), 2),
      roundelOverFloorFanout: round(results.roundel.lastPushMs / results.floor.lastPushMs, 1),
      roundelOverSocketIoFanout: round(results.roundel.lastPushMs / results.socketio.lastPushMs, 1),
    },
  };
}
