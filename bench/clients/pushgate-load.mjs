// The load process of the pushgate and durability scenarios (forked by bench/pushgate.mjs and
// bench/durability.mjs). It holds K dialogs on each target and measures them in turns, so that
// the noise of a shared machine falls on all targets alike.
// Open loop ("ladder"): POSTs activations at a fixed offered rate, round-robin over the dialogs,
// and times each from its *scheduled* send to the arrival of the push it caused, so a slow
// server cannot hide behind a slow client (no coordinated omission). Rates double until a step
// fails, then are bisected. Closed loop ("closed"): C workers each POST and wait for their push.
import { clientMain, collectGarbage, quantile, round, sleep } from '../lib/util.mjs';
import { openDialogs, post } from './dialogs.mjs';

const nowMs = () => performance.now();
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

clientMain(async (input, send) => {
  const { apiKey, dialogs: count } = input;
  const pending = new Map(); // text -> { target, dialog, at: scheduled ms }
  let misrouted = 0;
  let onArrival = () => {};
  let counter = 0;

  const targets = [];
  for (const [t, { name, kind, url }] of input.targets.entries()) {
    const onPush = (index, text, what) => {
      const entry = what === 'reply' ? pending.get(text) : undefined;
      if (!entry) return;
      pending.delete(text);
      if (entry.target !== t || entry.dialog !== index) misrouted += 1;
      onArrival(entry, nowMs());
    };
    const started = nowMs();
    const dialogs = await openDialogs(kind, url, count, { apiKey, onPush });
    targets.push({ t, name, kind, url, dialogs, setupMs: round(nowMs() - started) });
  }

  /** Sends one activation scheduled at `at`; `onHttp(0 | status | 'network')` on the answer. */
  function activate(target, dialog, at, onHttp) {
    const text = `b${(counter += 1)}`;
    pending.set(text, { target: target.t, dialog, at });
    post(target.url, target.dialogs[dialog].path, JSON.stringify({ text })).then(
      (res) => {
        if (res.status !== 202) pending.delete(text);
        onHttp(res.status === 202 ? 0 : res.status);
      },
      () => {
        pending.delete(text);
        onHttp('network');
      },
    );
  }

  async function drain(limitMs) {
    const end = nowMs() + limitMs;
    while (pending.size > 0 && nowMs() < end) await sleep(5);
  }

  /** One open-loop step on `target` at `rate`/s for `ms`. */
  async function step(target, rate, ms) {
    const latencies = [];
    const statuses = {};
    onArrival = (entry, at) => latencies.push(at - entry.at);
    const total = Math.floor((ms * rate) / 1000);
    const cpu0 = process.cpuUsage();
    const t0 = nowMs();
    let sent = 0;
    let aborted = false;
    await new Promise((done) => {
      const timer = setInterval(() => {
        const elapsed = nowMs() - t0;
        // Request k is scheduled at t0 + k/rate: due once that moment has passed.
        const due = Math.min(Math.floor((elapsed * rate) / 1000) + 1, total);
        for (; sent < due; sent += 1) {
          activate(target, sent % count, t0 + (sent * 1000) / rate, (status) => {
            if (status !== 0) statuses[status] = (statuses[status] ?? 0) + 1;
          });
        }
        // More than a second of backlog: this rate is not sustained; stop early.
        if (pending.size > Math.max(rate, 200)) aborted = true;
        if (sent >= total || aborted) {
          clearInterval(timer);
          done();
        }
      }, 1);
    });
    const sendMs = nowMs() - t0;
    const cpu = process.cpuUsage(cpu0);
    await drain(input.drainMs);
    const lost = pending.size;
    pending.clear();
    const errors = Object.values(statuses).reduce((a, b) => a + b, 0);
    const p99 = quantile(latencies, 0.99);
    return {
      offered: rate,
      sent,
      delivered: latencies.length,
      lost,
      errors,
      statuses,
      p50Ms: round(quantile(latencies, 0.5)),
      p90Ms: round(quantile(latencies, 0.9)),
      p99Ms: round(p99),
      maxMs: round(quantile(latencies, 1)),
      clientCpu: round((cpu.user + cpu.system) / 1000 / sendMs, 2),
      aborted,
      pass: !aborted && lost === 0 && errors === 0 && p99 <= input.p99LimitMs && sent === total,
    };
  }

  /** C workers on `target` for `ms`, each POSTing and waiting for its push. */
  async function closedLoop(target, concurrency, ms) {
    collectGarbage();
    const latencies = [];
    const waiters = new Map();
    let measuring = false;
    let running = true;
    let errors = 0;
    onArrival = (entry, at) => {
      if (measuring) latencies.push(at - entry.at);
      waiters.get(entry.dialog)?.();
    };
    const worker = async (w) => {
      for (let d = w; running; d = d + concurrency < count ? d + concurrency : w) {
        const arrived = new Promise((resolve) => waiters.set(d, resolve));
        activate(target, d, nowMs(), (status) => {
          if (status === 0) return;
          errors += 1;
          waiters.get(d)?.();
        });
        await Promise.race([arrived, sleep(5000)]);
        waiters.delete(d);
      }
    };
    const workers = Array.from({ length: Math.min(concurrency, count) }, (_, w) => worker(w));
    await sleep(input.rampMs);
    measuring = true;
    const t0 = nowMs();
    await sleep(ms);
    measuring = false;
    const elapsed = nowMs() - t0;
    running = false;
    await Promise.all(workers);
    await drain(2000);
    pending.clear();
    return { completed: latencies.length, elapsedMs: elapsed, latencies, errors };
  }

  const setup = Object.fromEntries(targets.map((x) => [x.name, x.setupMs]));
  const closeAll = () => targets.forEach((x) => x.dialogs.forEach((d) => d.close()));

  if (input.mode === 'closed') {
    // Rounds: every target in turn, so each sees the same stretch of machine noise.
    const acc = targets.map(() => ({ completed: 0, elapsedMs: 0, latencies: [], errors: 0 }));
    for (let round = 0; round < input.rounds; round += 1) {
      for (const target of targets) {
        const r = await closedLoop(target, input.concurrency, input.roundMs);
        const a = acc[target.t];
        a.completed += r.completed;
        a.elapsedMs += r.elapsedMs;
        a.errors += r.errors;
        for (const l of r.latencies) a.latencies.push(l);
      }
    }
    closeAll();
    return Object.fromEntries(
      targets.map((x) => {
        const a = acc[x.t];
        return [
          x.name,
          {
            setupMs: x.setupMs,
            completed: a.completed,
            perSecond: round((a.completed * 1000) / a.elapsedMs, 1),
            p50Ms: round(quantile(a.latencies, 0.5)),
            p99Ms: round(quantile(a.latencies, 0.99)),
            errors: a.errors,
          },
        ];
      }),
    );
  }

  // Ladder, in rounds: each target that is not done runs its next step.
  const { startRate, maxRate, stepMs, refine, warmupMs } = input;
  for (const target of targets) await step(target, startRate, warmupMs);
  await drain(5000);
  const state = targets.map(() => ({ next: startRate, pass: 0, fail: 0, refined: 0, steps: [], done: false }));
  // The parent reads the servers' CPU time at each mark: first while all are idle, then around
  // every step of each one.
  send({ type: 'mark', phase: 'idle-start' });
  await sleep(input.idleMs);
  send({ type: 'mark', phase: 'idle-end' });
  const windowStartUs = monotonicUs();
  while (state.some((s) => !s.done)) {
    for (const target of targets) {
      const s = state[target.t];
      if (s.done) continue;
      // Enough samples for a p99 at low rates; a failed step gets one more try, since noise from
      // the rest of the machine only ever adds latency (the better try is the server's own).
      const ms = Math.max(stepMs, (input.minSamples * 1000) / s.next);
      let result;
      for (let attempt = 1; attempt <= 2 && !result?.pass; attempt += 1) {
        await drain(10_000); // a backlog from a failed step must not spill into this one
        collectGarbage();
        send({ type: 'mark', phase: 'step-start', target: target.name });
        result = { ...(await step(target, s.next, ms)), attempt };
        send({ type: 'mark', phase: 'step-end', target: target.name, sent: result.sent });
        s.steps.push(result);
      }
      if (result.pass) s.pass = s.next;
      else s.fail = s.next;
      if (s.fail === 0) {
        s.next *= 2;
        if (s.next > maxRate) s.done = true;
      } else if (s.pass > 0 && s.refined < refine) {
        s.refined += 1;
        s.next = Math.round(Math.sqrt(s.pass * s.fail));
        if (s.next === s.pass || s.next === s.fail) s.done = true;
      } else s.done = true;
    }
  }
  const windowEndUs = monotonicUs();

  // CPU per activation compares servers at one offered rate, the same for all: the highest rate
  // every target sustained (the slowest one's maximum), capped so the phase stays short. Each
  // target runs it in turn (twice if the first try fails on a noisy machine); the parent reads the
  // server's CPU time at the `cpu-start`/`cpu-end` marks.
  const sustained = state.map((s) => s.pass).filter((rate) => rate > 0);
  // A caller may fix the common rate instead (the cluster part: p99 at one stated rate for all).
  const cpuRate = input.commonRate ?? (sustained.length === targets.length ? Math.min(...sustained, input.cpuMaxRate) : 0);
  const cpuSteps = {};
  if (cpuRate > 0) {
    const ms = Math.max(input.cpuStepMs, (input.cpuSamples * 1000) / cpuRate);
    for (const target of targets) {
      let result;
      for (let attempt = 1; attempt <= 2 && !result?.pass; attempt += 1) {
        await drain(10_000);
        collectGarbage();
        send({ type: 'mark', phase: 'cpu-start', target: target.name });
        result = { ...(await step(target, cpuRate, ms)), attempt };
        send({ type: 'mark', phase: 'cpu-end', target: target.name, sent: result.sent });
      }
      cpuSteps[target.name] = result;
    }
  }
  closeAll();
  return {
    misrouted,
    window: { startUs: windowStartUs, endUs: windowEndUs },
    cpuRate: cpuRate > 0 ? cpuRate : null,
    targets: Object.fromEntries(
      targets.map((x) => {
        const s = state[x.t];
        return [x.name, { setupMs: setup[x.name], steps: s.steps, maxSustained: s.pass, firstFailed: s.fail || null, cpuStep: cpuSteps[x.name] ?? null }];
      }),
    ),
  };
});
