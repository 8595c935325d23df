/**
 * The async snippet's command queue (README "Async snippet"): before messenger.js has loaded, the
 * page's `ServisBot.init(...)` and the methods of the object it returned record
 * `[method, args, resolve?, reject?]` in `ServisBot.q`. The bundle replays them in order, then
 * turns `q.push` into "run now", so the stub objects the page kept go on working.
 */
import { currentInstance, READY_EVENT } from './init';
import type { MessengerApi } from './types';

/** One recorded call: the method name, its arguments, and the stub's promise callbacks. */
export type QueuedCall = [method: string, args: unknown[], resolve?: (value: unknown) => void, reject?: (reason: unknown) => void];

/** What the snippet defines as `window.ServisBot` until the bundle replaces it. */
export interface SnippetStub {
  q: QueuedCall[];
}

export const isSnippetStub = (value: unknown): value is SnippetStub => Array.isArray((value as Partial<SnippetStub> | undefined)?.q);

/**
 * Replays `queue` through `init` and the living instance. A method call recorded before any
 * `init` waits for the first instance (from a later `init` or the zero-JS tag). A failure rejects
 * the stub's promise, or is reported as an uncaught error when the call had none (`init`).
 */
export function drainQueue(queue: QueuedCall[], init: (options: unknown) => MessengerApi, win: Window): void {
  const waiting: QueuedCall[] = [];
  const run = (call: QueuedCall): void => {
    const [method, args, resolve, reject] = call;
    try {
      let result: unknown;
      if (method === 'init') result = init(args[0]);
      else {
        const api = currentInstance() as unknown as Record<string, unknown> | undefined;
        if (!api) return void waiting.push(call);
        const fn = api[method];
        if (typeof fn !== 'function') throw new TypeError(`ServisBot: no method "${method}"`);
        result = (fn as (...a: unknown[]) => unknown)(...args);
      }
      resolve?.(result);
    } catch (error) {
      if (reject) reject(error);
      else setTimeout(() => {
        throw error;
      });
    }
  };
  win.addEventListener(READY_EVENT, () => waiting.splice(0).forEach(run));
  queue.splice(0).forEach(run);
  queue.push = (...calls: QueuedCall[]) => {
    calls.forEach(run);
    return 0;
  };
}
