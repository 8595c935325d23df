/**
 * The host-page API: the only public surface of the widget (README.md, "The widget"), and the entry of
 * the ES module build (`import { init } from 'roundel/messenger'`; its types are public.ts).
 * @module api
 */
import { browserDeps } from './browser';
import { createInit } from './init';
import { scriptOrigin } from './server-url';
import type { MessengerApi, MessengerOptions } from './types';

/**
 * `ServisBot.init(options)`: validates the options (a `TypeError` naming the bad one), renders
 * the messenger and connects it; returns the API object synchronously. Calling it again while
 * an instance lives returns that instance. `serverUrl` defaults to the origin of a
 * `messenger.js` script on the page, else the page's own origin.
 */
export const init = (options: MessengerOptions): MessengerApi => (browserInit ??= createInit(browserDeps(loadPanel, () => scriptOrigin(document, null))))(options);

/** The panel and the page reports (lazy.ts), a chunk the site's bundler splits off: loaded after Ready when idle, or at the first open. */
const loadPanel = () => import('./lazy');

// Built on the first call, not at import: a bundle that imports this module during server-side
// rendering has no `window`.
let browserInit: ReturnType<typeof createInit> | undefined;

export { version } from '../../package.json';
export { HOST_EVENT_NAMES } from './host-events';
export { currentInstance, READY_EVENT } from './init';
export type {
  HostEventHandler,
  HostEventName,
  HostEvents,
  HostMessage,
  MessengerApi,
  MessengerEvent,
  MessengerOptions,
  PageEventInput,
} from './types';
