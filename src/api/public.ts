/**
 * The declarations of the ES module build (`dist/messenger.mjs`), emitted as
 * `dist/types/public.d.ts` by `tsc -p tsconfig.types.json`. Declared rather than re-exported so
 * the published types hold only the public surface (types.ts), not the whole widget;
 * public.test-d.ts pins them to the implementation in index.ts.
 */
import type { HostEventName, MessengerApi, MessengerOptions } from './types';

export type * from './types';

/**
 * Validates `options` (a `TypeError` naming the bad one), renders the messenger and connects
 * it; returns the API object. While an instance lives, returns that instance.
 */
export declare const init: (options: MessengerOptions) => MessengerApi;

/** The living instance, or `undefined` before `init` and after `destroy()`. */
export declare const currentInstance: () => MessengerApi | undefined;

/** `'servisbot:ready'`: dispatched on `window` when an instance is created; `detail` is the API object. */
export declare const READY_EVENT: 'servisbot:ready';

/** The widget's version (package.json). */
export declare const version: string;

/** The host event names: `['notification', 'Messenger', 'message', 'unread']`. */
export declare const HOST_EVENT_NAMES: readonly HostEventName[];
