// The server part of docs/benchmarks.md: pushgate ladder, durability, connections, hot path.
import { LABELS, count, kib, mib, num, ok, table, times, why } from './format.mjs';

/** `p50 / p99 / max ms (n)` of the /healthz probes, or a dash. */
const health = (h) => (h && h.count > 0 ? `${h.p50Ms} / ${h.p99Ms} / ${h.maxMs} ms (${h.count})` : '–');

export function serverSections(r) {
  const out = ['## Server\n'];
  if (ok(r.pushgate)) {
    const p = r.pushgate;
    const ladder = [];
    for (const k of ['roundel', 'floor', 'socketio']) {
      for (const s of p.targets[k].steps) {
        const other = Number.isFinite(s.otherWork) ? `${Math.round(s.otherWork * 100)}%` : '–';
        ladder.push([LABELS[k], s.offered, s.attempt ?? 1, s.sent, s.delivered, s.lost, s.errors, s.p50Ms, s.p99Ms, s.maxMs, other, s.pass ? 'yes' : `**no**${s.aborted ? ' (backlog)' : ''}`]);
      }
    }
    out.push(`### Pushback activations: POST → push on the socket

${count(p.dialogs)} chats on each server, each a websocket client that logged in. Roundel: one pushback per
chat made through \`POST /api/v1/pushbacks\`; every activation is \`POST /pushgate/push_{id}\`
with \`{"text": "<unique>"}\`, and its latency runs from the **scheduled** send to the arrival of
the bench bot's resulting \`incoming_event\` (the bot says the text at once), so it covers the
durable write, the 202, the bot run and the stored push. Floor: a bare \`ws\` server forwards the
POST body to the socket, no storage (bench/baselines/floor-server.mjs). Peer: the same forwarder on
Socket.IO with socket.io-client (bench/baselines/socketio-server.mjs). Load comes from one separate
process at a fixed offered rate (open loop, round-robin over the chats), doubling from
${p.targets.roundel.steps[0]?.offered ?? 25} /s, each step ${p.stepMs / 1000} s or ${p.minSamples} activations
if that is longer, until a step fails (p99 > ${p.p99LimitMs} ms, a loss, an error, or more than a
second of backlog), then bisected. A failed step is tried once more before it counts (noise from the
rest of the machine only ever adds latency). The three servers are up together and measured in
turns, so machine noise falls on all of them. All three run under \`--cpu-prof\`.

| max rate with p99 < ${p.p99LimitMs} ms | Roundel | floor | Socket.IO |
|---|---|---|---|
| activations / s | **${p.targets.roundel.maxSustained}** | ${p.targets.floor.maxSustained} | ${p.targets.socketio.maxSustained} |
| Roundel / … | | ${times(p.ratios.roundelOverFloorMaxRate)} | ${times(p.ratios.roundelOverSocketIoMaxRate)} |
| server CPU per activation${p.cpuRate ? ` at ${p.cpuRate} /s` : ''} | **${p.targets.roundel.serverCpuMsPerActivation} ms** | ${p.targets.floor.serverCpuMsPerActivation} ms | ${p.targets.socketio.serverCpuMsPerActivation} ms |
| Roundel / … | | ${times(p.ratios.roundelOverFloorCpuPerActivation)} | ${times(p.ratios.roundelOverSocketIoCpuPerActivation)} |

The maximum rate is the figure users ask for, but on a shared machine it moves with whatever else
runs; CPU time per activation moves less (contention still inflates it, the floor's most). It is measured
after the ladder at **one offered rate for all three servers** (${p.cpuRate ?? '–'} /s: the highest rate each of
them sustained, at most 1,600 /s), so that no server's figure is diluted or inflated by rates the
others never ran: the server's user + system time (\`/proc/PID/stat\`) during that phase, less what
it burns idle (heartbeats, the profiler's sampling) over the same time, divided by the activations
sent. It does not count time blocked in fsync, which is not CPU time. (Earlier reports took it over
each server's whole ladder; that figure is still in results.json as \`serverCpuMsPerActivationLadder\`:
Roundel ${p.targets.roundel.serverCpuMsPerActivationLadder ?? '–'} ms, floor ${p.targets.floor.serverCpuMsPerActivationLadder ?? '–'} ms, Socket.IO ${p.targets.socketio.serverCpuMsPerActivationLadder ?? '–'} ms.)

${p.commonRate ? `At ${p.commonRate} /s, the highest rate all three sustained, p50 / p99: Roundel ${p.atCommonRate.roundel.p50Ms} / ${p.atCommonRate.roundel.p99Ms} ms, floor ${p.atCommonRate.floor.p50Ms} / ${p.atCommonRate.floor.p99Ms} ms, Socket.IO ${p.atCommonRate.socketio.p50Ms} / ${p.atCommonRate.socketio.p99Ms} ms.` : ''}
Pushes delivered to the wrong chat: ${p.misrouted}.

<details><summary>Every step</summary>

"Other work" is the share of the machine's CPU that processes outside the bench used during the
step (all busy time from \`/proc/stat\` less the bench's servers and load client): a step that failed
while it was high failed on the machine, not on the server.

${table(['server', 'offered /s', 'try', 'sent', 'delivered', 'lost', 'HTTP errors', 'p50 ms', 'p99 ms', 'max ms', 'other work', 'sustained'], ladder)}

</details>
`);
  } else out.push(`Pushback activations: ${why(r.pushgate)}.\n`);

  if (ok(r.durability)) {
    const d = r.durability;
    out.push(`### Durability cost: SQLite \`synchronous\`

Saturation throughput of the same activations in a closed loop (${d.concurrency} clients, each POSTs
and waits for its push; ${count(d.dialogs)} chats), on two Roundel servers up at once, measured in
alternating rounds (${d.measuredMs / 1000} s each in all). \`FULL\` (the default) fsyncs every commit,
so an acknowledged activation survives a power cut; \`NORMAL\` (\`ROUNDEL_SQLITE_SYNC=NORMAL\`) syncs
the WAL only at checkpoints and survives a process crash but may lose the last commits on power loss.

| synchronous | activations / s | p50 | p99 | errors |
|---|---|---|---|---|
| FULL | ${d.modes.FULL.perSecond} | ${d.modes.FULL.p50Ms} ms | ${d.modes.FULL.p99Ms} ms | ${d.modes.FULL.errors} |
| NORMAL | ${d.modes.NORMAL.perSecond} | ${d.modes.NORMAL.p50Ms} ms | ${d.modes.NORMAL.p99Ms} ms | ${d.modes.NORMAL.errors} |

NORMAL / FULL: **${d.normalOverFull}×**. The store commits in groups (the writes of one event-loop
turn in one transaction, store/group-commit.ts), so FULL pays one fsync per batch, not per write.
`);
  } else out.push(`Durability cost: ${why(r.durability)}.\n`);

  if (ok(r.logging)) {
    const g = r.logging;
    const row = (level) => `| ${level} | ${g.levels[level].perSecond} | ${g.levels[level].cpuMsPerActivation} ms | ${g.levels[level].p50Ms} ms | ${g.levels[level].p99Ms} ms |`;
    out.push(`### Logging cost: pino at \`info\` vs \`silent\`

The same activations in a closed loop (${g.concurrency} in flight, ${count(g.dialogs)} chats) on two Roundel
servers up at once, measured in alternating rounds: one logs an access line per request at
\`info\` (\`ROUNDEL_LOG_LEVEL=info\`, the default; stderr read by the bench), the other logs nothing.

| level | activations / s | server CPU per activation | p50 | p99 |
|---|---|---|---|---|
${row('info')}
${row('silent')}

info / silent: rate **${g.ratios.infoOverSilentRate}×**, CPU per activation **${g.ratios.infoOverSilentCpuPerActivation}×**
(the bound: logging must not cut the rate by more than 5%).
`);
  } else if (r.logging) out.push(`Logging cost: ${why(r.logging)}.\n`);

  if (ok(r.connections)) {
    const c = r.connections;
    const t = c.targets;
    out.push(`### Connections and fan-out

${count(c.dialogs)} idle chats held by a separate client process (Roundel: websocket + \`login\`, i.e. a
stored chat each; floor: a bare websocket; Socket.IO: a socket in its own room). RSS of the server
process (\`/proc/PID/status\` VmRSS) before the clients connect and ${c.settleMs / 1000} s after the last
one did, divided by the number of chats. Then one POST raises an event in all of them (Roundel:
\`POST /api/v1/events/bench\` with \`users: "everyone"\`, which stores an \`incoming_multicast\` in
every chat and runs the bot, whose reply follows; baselines: a broadcast of the body), timed until
the last client has its push. Meanwhile the bench process asks \`GET /healthz\` of the server every
20 ms (one request at a time) until the last push (and, for Roundel, the last bot reply) arrived,
to show whether the fan-out leaves the server answering; the closing of the N sockets after it is
not part of the window (until 2026-12-03 it was, and its last probes measured the closing).

| | Roundel | floor | Socket.IO |
|---|---|---|---|
| RSS before | ${mib(t.roundel.rssBeforeBytes)} MiB | ${mib(t.floor.rssBeforeBytes)} MiB | ${mib(t.socketio.rssBeforeBytes)} MiB |
| RSS with ${count(c.dialogs)} idle chats | ${mib(t.roundel.rssIdleBytes)} MiB | ${mib(t.floor.rssIdleBytes)} MiB | ${mib(t.socketio.rssIdleBytes)} MiB |
| **per chat** | **${kib(t.roundel.bytesPerDialog)} KiB** | ${kib(t.floor.bytesPerDialog)} KiB | ${kib(t.socketio.bytesPerDialog)} KiB |
| time to connect them all (client side) | ${num(t.roundel.setupMs)} ms | ${num(t.floor.setupMs)} ms | ${num(t.socketio.setupMs)} ms |
| fan-out: POST answered | ${num(t.roundel.httpMs)} ms | ${num(t.floor.httpMs)} ms | ${num(t.socketio.httpMs)} ms |
| fan-out: last push received | **${num(t.roundel.lastPushMs)} ms** | ${num(t.floor.lastPushMs)} ms | ${num(t.socketio.lastPushMs)} ms |
| fan-out: last bot reply received | ${num(t.roundel.lastReplyMs)} ms | – | – |
| chats reached | ${t.roundel.received} | ${t.floor.received} | ${t.socketio.received} |
| \`GET /healthz\` during the fan-out, p50 / p99 / max | ${health(t.roundel.healthz)} | ${health(t.floor.healthz)} | ${health(t.socketio.healthz)} |

The workloads differ in what the product promises: Roundel stores the event in every chat (in
batches of 50 chats, one transaction each: the multicast push and the bot's inbox item), runs the
bot there and stores its reply (its outputs and done marks share one commit per event-loop turn),
so that each push survives a restart and resumes by \`seq\`; the baselines only write to sockets.

Roundel / floor: ${times(c.ratios.roundelOverFloorBytesPerDialog)} memory per chat, ${times(c.ratios.roundelOverFloorFanout)} fan-out time;
Roundel / Socket.IO: ${times(c.ratios.roundelOverSocketIoBytesPerDialog)} and ${times(c.ratios.roundelOverSocketIoFanout)}.
Quoted, not measured here: Centrifugo ~27 KB per idle connection.
`);
  } else out.push(`Connections and fan-out: ${why(r.connections)}.\n`);
  out.push(hotPathSection(r));
  return out.join('\n');
}

/** The sentence naming the largest cost on the activation path, from the Roundel profile. */
export function hotPathVerdict(r) {
  const profile = ok(r.pushgate) ? r.pushgate.targets.roundel.profile : undefined;
  if (!profile || profile.functions.length === 0) return undefined;
  const top = profile.functions[0];
  const category = profile.categories?.[0];
  return {
    top,
    category,
    text:
      `The largest single cost on the activation path is \`${top.name}\` (${top.source}${top.line ? `:${top.line}` : ''}), ` +
      `${top.share}% of the server's busy main-thread time during the ladder` +
      (category ? `; by category, **${category.category}** leads with ${category.share}%.` : '.'),
  };
}

function hotPathSection(r) {
  const profile = ok(r.pushgate) ? r.pushgate.targets.roundel.profile : undefined;
  if (!profile) return `## Hot path\n\nNo profile: ${ok(r.pushgate) ? 'the server wrote none' : why(r.pushgate)}.\n`;
  const verdict = hotPathVerdict(r);
  const others = ['floor', 'socketio']
    .map((k) => r.pushgate.targets[k].profile)
    .map((p, i) => (p ? `${LABELS[['floor', 'socketio'][i]]}: ${p.functions.slice(0, 3).map((f) => `\`${f.name}\` ${f.share}%`).join(', ')}` : ''))
    .filter(Boolean);
  return `## Hot path (CPU profile of the activation path)

\`node --cpu-prof\` on the Roundel server during the pushgate ladder (the bench's own reader,
\`bench/lib/cpuprofile.mjs\`, counts self time per function for the ladder's window only and maps
\`dist/server/cli.js\` back to \`src/\` through its source map). The window spans all three ladders,
and Roundel idles while the others are measured: its main thread was busy ${profile.busyMs} ms and idle
${profile.idleMs} ms in it. Time spent blocked in a system call
(an fsync, a socket write) is main-thread time and is counted here: the thread can do nothing else.

${verdict.text}

${table(
  ['category', 'self ms', 'share of busy'],
  profile.categories.map((c) => [c.category, num(c.selfMs), `${c.share}%`]),
)}

${table(
  ['function', 'where', 'self ms', 'share of busy'],
  profile.functions.map((f) => [`\`${f.name}\``, `${f.source}${f.line ? `:${f.line}` : ''}`, num(f.selfMs), `${f.share}%`]),
)}

Better-sqlite3 runs SQL synchronously, so the time of a statement shows as self time of the store
function that ran it (\`src/server/store/sqlite.ts\`), and \`sqliteTransaction\` is the transaction
wrapper itself: \`BEGIN\` and \`COMMIT\`, where the WAL is fsynced under \`synchronous=FULL\`. An activation
commits three times: the inbox item before the 202 (\`acceptInbound\`), the bot's message
(\`append\`), and the item marked done (\`finishItem\`).

${verdict.category?.category.startsWith('SQLite') ? REMEDY_SQLITE : REMEDY_OTHER}

Peers' servers, same window: ${others.join('; ')}.
`;
}

const REMEDY_OTHER = `**What it would take to remove it:** the leading category above is not SQLite any more; read the
function table and the profile (\`bench/profiles/pushgate-roundel.cpuprofile\`, opens in Chrome DevTools).`;

const REMEDY_SQLITE = `**What it would take to remove it.** Group commit: let the store gather the writes that arrive in the
same event-loop turn (activations, bot outputs, item completions) into one transaction and answer
each caller once that single commit is durable, so the fsync is paid once per batch instead of three
times per activation; the 202 still follows a durable write. Merging the bot output and the
\`finishItem\` of one handler call into one transaction removes one commit of the three even without
batching. Both change \`src/server/store\` and the runtime, not the protocol.`;

