import { createLogger } from './logger';
import { createMessenger } from './create-messenger';
import type { MessengerDeps } from './deps';
import { parseOptions } from './options';
import type { MessengerApi } from './types';

/** The live instance: one widget per page, whichever `init` created it. */
let live: MessengerApi | undefined;

/** The living instance (`ServisBot.instance`), or `undefined` before `init` and after `destroy()`. */
export const currentInstance = (): MessengerApi | undefined => live;

/** The DOM event dispatched on `window` when an instance is created; its `detail` is the API object. */
export const READY_EVENT = 'servisbot:ready';

/**
 * Builds `init` over `deps`. `init(options)` validates the options (a `TypeError` naming the bad
 * one), then creates, mounts and connects the messenger, dispatches {@link READY_EVENT} and returns
 * its API. While an instance lives, `init` returns it unchanged; after its `destroy()`, `init`
 * creates a fresh one.
 */
export function createInit(deps: MessengerDeps): (options: unknown) => MessengerApi {
  return function init(input: unknown): MessengerApi {
    if (live) return live;
    const { options, unknown } = parseOptions(input, {
      serverUrl: deps.defaultServerUrl(),
      lang: deps.window.navigator?.language || 'en',
      document: deps.window.document,
    });
    const log = createLogger(options.debug);
    if (unknown.length > 0) log('debug', `ignored unknown options: ${unknown.join(', ')}`);
    let api: MessengerApi;
    try {
      api = createMessenger(options, deps, log, () => {
        if (live === api) live = undefined;
      });
    } catch (error) {
      // Valid options but a broken environment (no shadow DOM, built-ins the page broke before we
      // loaded): the page goes on without a messenger instead of with an exception.
      log('error', 'the messenger could not start', error);
      return inertApi();
    }
    live = api;
    try {
      // For pages that load messenger.js asynchronously: the API without polling. A throwing
      // listener is reported by the browser, not thrown here.
      deps.window.dispatchEvent(new deps.window.CustomEvent(READY_EVENT, { detail: api }));
    } catch (error) {
      log('error', `${READY_EVENT} could not be dispatched`, error);
    }
    return api;
  };
}

/** The API of a messenger that could not start: every method is a harmless no-op. */
function inertApi(): MessengerApi {
  const refuse = () => Promise.reject(new Error('ServisBot: the messenger could not start'));
  const nothing = () => {};
  return Object.freeze({
    on: () => nothing,
    off: nothing,
    pageEvent: refuse,
    open: nothing,
    close: nothing,
    toggle: nothing,
    show: nothing,
    hide: nothing,
    reset: refuse,
    rewriteContext: refuse,
    destroy: nothing,
  });
}
