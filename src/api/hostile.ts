/**
 * Defences against the host page (docs/security.md, "The widget inside hostile pages"). The
 * page's scripts run before, beside and after ours and may replace any built-in, so what the api
 * layer needs is captured when the bundle is evaluated, and every entry point the browser calls on
 * its own (socket callbacks, timers) is guarded: a failure there is reported to the widget's
 * logger, never thrown into the page's `window.onerror`.
 */
import { systemClock, type Clock, type WebSocketFactory, type WebSocketLike } from '../client';

/** `JSON.parse` and `JSON.stringify` as they were when the bundle was evaluated. */
export const { parse: parseJson, stringify: stringifyJson } = JSON;

/** Whether those work: false on a page that broke `JSON` before we loaded. */
export const jsonWorks = ((): boolean => {
  try {
    return stringifyJson(parseJson('[{"a":1}]')) === '[{"a":1}]';
  } catch {
    return false;
  }
})();

/** Where a guarded call sends what it caught. */
export type Report = (error: unknown) => void;

/** `fn`, with whatever it throws passed to `report` instead. */
export const guarded =
  <A extends unknown[]>(fn: (...args: A) => unknown, report: Report) =>
  (...args: A): void => {
    try {
      fn(...args);
    } catch (error) {
      report(error);
    }
  };

type SocketHandler = (event: unknown) => void;

/**
 * `Native` (the page's WebSocket, read once at init) behind a facade whose handlers the browser
 * calls through {@link guarded}: the client sets `onmessage` and the rest on the facade. A
 * constructor that throws, or returns a dud that cannot take handlers, throws here, where the
 * client expects it (it retries with backoff).
 */
export function guardedWebSocket(Native: WebSocketFactory, report: Report): WebSocketFactory {
  return function (url: string): WebSocketLike {
    const socket = new Native(url);
    // The handlers start unset (undefined, which the client never reads).
    const facade = {
      get readyState() {
        return socket.readyState;
      },
      send: (data: string) => socket.send(data),
      close: (code?: number, reason?: string) => socket.close(code, reason),
    } as WebSocketLike;
    for (const key of ['onopen', 'onmessage', 'onerror', 'onclose'] as const) {
      (socket as unknown as Record<string, SocketHandler>)[key] = guarded((event) => (facade[key] as SocketHandler | null)?.(event), report);
    }
    return facade;
  } as unknown as WebSocketFactory;
}

/** The real clock, its timer callbacks {@link guarded}. */
export const guardedClock = (report: Report): Clock => ({
  ...systemClock,
  setTimeout: (fn, ms) => systemClock.setTimeout(guarded(fn, report), ms),
});
