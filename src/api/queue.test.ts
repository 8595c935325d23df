import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeInit } from './fake-client.fixture';
import { drainQueue, isSnippetStub, type QueuedCall } from './queue';
import { currentInstance } from './init';

let harness: ReturnType<typeof fakeInit>;
afterEach(() => {
  currentInstance()?.destroy();
  vi.useRealTimers();
});

/** What the README's snippet records: `[method, args, resolve, reject]`, with a promise for the page. */
function record(queue: QueuedCall[], method: string, ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => queue.push([method, args, resolve, reject]));
}

describe('the async snippet queue', () => {
  it('recognises the stub by its q array', () => {
    expect(isSnippetStub({ q: [] })).toBe(true);
    expect(isSnippetStub({ init() {} })).toBe(false);
    expect(isSnippetStub(undefined)).toBe(false);
  });

  it('replays init and API calls in order, resolving each stub promise with the real result', async () => {
    harness = fakeInit();
    const queue: QueuedCall[] = [];
    const seen: unknown[] = [];
    queue.push(['init', [{ organization: 'acme', endpoint: 'acme-demo' }]]);
    const subscribed = record(queue, 'on', 'notification', (message: string) => seen.push(message));
    const accepted = record(queue, 'pageEvent', { alias: 'viewed-pricing', body: { plan: 'pro' } });
    const opened = record(queue, 'open');

    drainQueue(queue, harness.init, window);
    const [client] = harness.clients;
    expect(client!.calls.map((call) => call.method)).toEqual(['connect', 'pageEvent']);
    expect(typeof (await subscribed)).toBe('function');
    await expect(accepted).resolves.toBeUndefined();
    await expect(opened).resolves.toBeUndefined();
    expect(queue).toHaveLength(0);
    expect(harness.clients).toHaveLength(1);
  });

  it('holds calls made before any init until an instance exists, then keeps running new calls at once', async () => {
    harness = fakeInit();
    const queue: QueuedCall[] = [];
    const early = record(queue, 'pageEvent', 'checkout');
    drainQueue(queue, harness.init, window);
    expect(harness.clients).toHaveLength(0);

    // The page (or the zero-JS tag) creates the instance later: the held call runs then.
    harness.init({ organization: 'acme', endpoint: 'acme-demo' });
    await early;
    // The stub objects the page kept push into the same queue: they now run at once.
    const late = record(queue, 'pageEvent', 'late');
    await late;
    expect(harness.clients[0]!.calls.slice(1)).toEqual([
      { method: 'pageEvent', args: ['checkout', undefined] },
      { method: 'pageEvent', args: ['late', undefined] },
    ]);
  });

  it('rejects the stub promise of a call that fails, and reports a failing init as an uncaught error', async () => {
    vi.useFakeTimers();
    harness = fakeInit();
    const queue: QueuedCall[] = [];
    queue.push(['init', [{ organization: 'acme' }]]);
    drainQueue(queue, harness.init, window);
    expect(() => vi.runAllTimers()).toThrow(new TypeError('ServisBot.init: option "endpoint" must be a non-empty string'));

    harness.init({ organization: 'acme', endpoint: 'acme-demo' });
    await expect(record(queue, 'on', 'notification', 'not a function')).rejects.toThrow(new TypeError('ServisBot.on: handler must be a function'));
    await expect(record(queue, 'explode')).rejects.toThrow(new TypeError('ServisBot: no method "explode"'));
  });
});
