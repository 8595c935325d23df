// The load process of the connections scenario (forked by bench/connections.mjs): opens N
// dialogs and leaves them idle while the parent reads the server's RSS, then, when told, raises
// one event in every dialog with a single POST and times it until the last client has its push.
import { clientMain, collectGarbage, round, sleep } from '../lib/util.mjs';
import { broadcast, openDialogs } from './dialogs.mjs';

const nowMs = () => performance.now();

clientMain(async (input, send) => {
  const { kind, url, apiKey, count } = input;
  const first = { multicast: new Array(count).fill(0), reply: new Array(count).fill(0) };
  const got = { multicast: 0, reply: 0 };
  const last = { multicast: 0, reply: 0 };
  let t0 = 0;
  const onPush = (index, text, what) => {
    if (text !== 'fanout' || first[what][index] !== 0) return;
    first[what][index] = 1;
    got[what] += 1;
    last[what] = nowMs() - t0;
  };
  const started = nowMs();
  const dialogs = await openDialogs(kind, url, count, { apiKey, onPush, pushbacks: false, width: 200 });
  const setupMs = nowMs() - started;
  send({ type: 'connected', setupMs });
  await new Promise((resolve) => process.once('message', (m) => m.type === 'fanout' && resolve()));

  collectGarbage();
  t0 = nowMs();
  const res = await broadcast(kind, url, apiKey, 'fanout');
  const httpMs = nowMs() - t0;
  if (res.status !== 202) throw new Error(`fan-out POST answered ${res.status} ${res.body}`);
  // Roundel stores an incoming_multicast in each dialog, then its bot replies; the baselines send one push.
  const expect = kind === 'roundel' ? ['multicast', 'reply'] : ['reply'];
  const deadline = nowMs() + input.timeoutMs;
  while (expect.some((what) => got[what] < count) && nowMs() < deadline) await sleep(5);
  // The fan-out is over: the parent stops its /healthz probe before the closing of N sockets.
  send({ type: 'delivered' });
  for (const d of dialogs) d.close();
  return {
    setupMs: round(setupMs),
    httpMs: round(httpMs),
    lastPushMs: round(last[expect[0]]),
    lastReplyMs: kind === 'roundel' ? round(last.reply) : null,
    received: got[expect[0]],
    receivedReplies: kind === 'roundel' ? got.reply : null,
  };
});
