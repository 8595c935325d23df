/**
 * The host-page API: the only public surface of the widget (CONTRACT.md §3).
 * @module api
 */
import { browserDeps } from './browser';
import { createInit } from './init';
import type { MessengerApi } from './types';

/**
 * `ServisBot.init(options)`: validates the options (a `TypeError` naming the bad one), renders
 * the messenger and connects it; returns the API object synchronously. Calling it again while
 * an instance lives returns that instance.
 */
export const init: (options: unknown) => MessengerApi = createInit(browserDeps());

export { version } from '../../package.json';
export { HOST_EVENT_NAMES } from './host-events';
export type {
  HostEventHandler,
  HostEventName,
  HostEvents,
  MessengerApi,
  MessengerEvent,
  MessengerOptions,
  PageEventInput,
} from './types';
