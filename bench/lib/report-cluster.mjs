// The "several nodes" section of docs/benchmarks.md (bench/cluster.mjs).

const cell = (v, unit = '') => (v === null || v === undefined ? '—' : `${v}${unit}`);

/** Markdown of the cluster part, or a line saying why it did not run. */
export function clusterSection(r) {
  const c = r.cluster;
  if (!c || c.skipped || c.error) return `## Several nodes\n\nNot measured in this run (${c?.skipped ?? c?.error ?? 'not run'}).\n`;
  const [one, three, peer] = c.rows;
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '—');
  const low = (x, key) => cell(x.lowest?.[key], ' ms');
  const kept = (x) => (x.deliveredAtCommon === null || x.deliveredAtCommon === undefined ? '' : ` (${x.deliveredAtCommon} delivered, ${x.lostAtCommon} late or lost)`);
  const rows = c.rows
    .map(
      (x) =>
        `| ${x.target} | ${cell(x.maxRate, '/s')} | ${low(x, 'p50Ms')} / ${low(x, 'p99Ms')} | ${cell(x.p50AtCommon, ' ms')} | ${cell(x.p99AtCommon, ' ms')}${kept(x)} | ${cell(x.cpuMsPerActivation, ' ms')} |`,
    )
    .join('\n');
  const lowRate = c.rows[0]?.lowest?.rate;
  const p50Ratio = (a, b) => (a?.lowest?.p50Ms && b?.lowest?.p50Ms ? (a.lowest.p50Ms / b.lowest.p50Ms).toFixed(2) : '—');
  const run = c.run
    ? `\nThese figures come from a separate run of this part alone (\`node bench/cluster-run.mjs\` or \`npm run bench -- --only=cluster\`, ${c.run.date}, build \`${c.run.commit}\`${c.run.dirty ? ' with local changes' : ''}, load average ${c.run.loadAvg}); the other parts from the run above.\n`
    : '';
  return `## Several nodes
${run}
Pushgate activations (HTTP POST → the push on the visitor's websocket) over ${c.dialogs} chats, in one
run: Roundel on one node with PostgreSQL, Roundel on ${c.nodes} nodes with PostgreSQL + Redis behind a
round-robin TCP balancer (scripts/balancer.mjs), and Socket.IO on ${c.nodes} nodes joined by
\`@socket.io/redis-streams-adapter\` behind the same balancer (a forwarder: it stores nothing). The
PostgreSQL is a throwaway one with fsync off. Highest offered rate whose p99 stays under 50 ms, and
latency and CPU (all of a target's processes) at one common rate (${cell(c.rows[0]?.commonRate, '/s')}).

| target | max rate, p99 < 50 ms | p50 / p99 at ${cell(lowRate, '/s')} | p50 at common rate | p99 at common rate | CPU per activation |
|---|---|---|---|---|---|
${rows}

${c.nodes} nodes / 1 node, max rate: **${ratio(three?.maxRate, one?.maxRate)}×**; Roundel ${c.nodes} nodes / Socket.IO ${c.nodes} nodes: **${ratio(three?.maxRate, peer?.maxRate)}×**.
p50 at ${cell(lowRate, '/s')}: ${c.nodes} nodes / 1 node **${p50Ratio(three, one)}×**, Roundel 1 node / Socket.IO **${p50Ratio(one, peer)}×**, Roundel ${c.nodes} nodes / Socket.IO **${p50Ratio(three, peer)}×**.
On this 2-core machine every node, PostgreSQL, Redis, the balancer and the load client share the
same two cores, so more nodes add processes to schedule rather than CPU: the cluster figures show
the cost of the design (a database transaction per activation and per bot turn, one Redis publish
per push, a hop through the balancer), not its scaling, which needs cores or machines per node.
An activation on PostgreSQL is about ten round trips to the database: the intake (one statement),
the worker's batch (its BEGIN proving the shard lease, the output, the done mark, the COMMIT; the
writes of one event-loop turn share it, see docs/scaling.md) and five reads. Each round trip is a
socket write and a wake-up on both sides, which is what a node spends most of its CPU on here: when
other work keeps both cores busy, every round trip waits for a core, and the rate a node sustains
falls with the machine's load average (given above), while Socket.IO, which stores nothing, pays
no round trips.
`;
}
