/**
 * One messenger instance: the host element, the mounted UI, the client, and the wiring between
 * them. Everything here runs inside the host page, so nothing may throw into it: client events,
 * UI intents, socket callbacks, timers and API methods are guarded (hostile.ts), and only bad
 * arguments to API methods throw a `TypeError`.
 */
import type { ChatClientEvents, Logger } from '../client';
import { NAME_CHARS, type ChatSettings, type JsonObject } from '../protocol';
import { SafeEmitter } from '../client';
import { createUiStore, mount, newestIncomingId, unreadCount, type UiIntents } from '../ui';
import type { ChatClientLike, MessengerDeps } from './deps';
import { HOST_EVENT_NAMES } from './host-events';
import { guarded, guardedClock, guardedWebSocket, parseJson, stringifyJson, type Report } from './hostile';
import { hostMessage, isPrivateNotification } from './host-messages';
import type { ResolvedOptions } from './options';
import { websocketUrl } from './server-url';
import type { LazyModule } from './lazy';
import type { VisitorSide } from './visitor-intents';
import { seenMarker } from './seen';
import { pageStorage } from './storage';
import type { HostEventName, HostEvents, MessengerApi, MessengerEvent } from './types';
import { isJsonObject, isOneOf, isPlainObject, own } from './validate';

/** The id of the element the widget renders into (README.md, "The widget"). */
export const HOST_ELEMENT_ID = 'servisbot-messenger';

/**
 * Creates, mounts and connects a messenger. `onDestroyed` runs once, when `destroy()` is called,
 * so `init` can forget the instance.
 */
export function createMessenger(options: ResolvedOptions, deps: MessengerDeps, log: Logger, onDestroyed: () => void): MessengerApi {
  const { document } = deps.window;
  const events = new SafeEmitter<HostEvents>(log);
  const forcedOpen = options.container !== undefined || options.alwaysOpen;
  let context: JsonObject = options.context;
  let announcedThreadId: string | undefined;
  let interacted = false;
  let destroyed = false;

  /** Endpoint settings with the host page's `theme` on top (the panel picks the title of its language, or the page's `title`). */
  const withOverrides = (settings: ChatSettings): ChatSettings => ({ ...settings, theme: { ...settings.theme, ...options.theme } });

  const store = createUiStore({ open: forcedOpen, settings: withOverrides({ title: '', theme: {} }) });

  const emitMessenger = (event: MessengerEvent) => events.emit('Messenger', Object.freeze(event));

  const report: Report = (error) => log('error', 'the widget failed', error);
  /** `fn`, reporting instead of throwing, and doing nothing once destroyed: for what the client, the UI, the browser or the page calls. */
  const guard =
    <A extends unknown[]>(fn: (...args: A) => unknown) =>
    (...args: A): void => {
      if (!destroyed) guarded(fn, report)(...args);
    };
  // One stored session per visitor: after destroy(), an init with another user (or none) finds
  // nothing of the previous one's session, so it can never show that transcript.
  const visitorKey = options.user === undefined ? '' : `:user:${encodeURIComponent(options.user.id)}`;
  const storageKey = `roundel:${options.organization}:${options.endpoint}${visitorKey}`;
  const storage = pageStorage(deps.window);
  const seen = seenMarker(storage, `${storageKey}:seen`);
  // The unread badge and event: messages from the bot or agents after the newest one shown in the
  // open panel. Host pages hear of every change of the count, the first one at Ready included.
  // Nothing is announced before the conversation is Ready: until then the count is 0.
  let unreadAnnounced = 0;
  const announceUnread = () => {
    const { unread } = store.get();
    if (announcedThreadId === undefined || unread === unreadAnnounced) return;
    unreadAnnounced = unread;
    events.emit('unread', unread);
  };
  store.subscribe(({ open, hidden, pushes }) => {
    const newest = newestIncomingId(pushes);
    if ((open || forcedOpen) && !hidden && newest) seen.mark(newest);
    store.set({ unread: unreadCount(pushes, seen.id) });
    announceUnread();
  });

  const clock = guardedClock(report);
  const client: ChatClientLike = deps.createClient({
    url: websocketUrl(options.serverUrl, options.organization, options.endpoint),
    storageKey,
    storage,
    // Read now, so a page that replaces WebSocket later does not reach us. The DOM's WebSocket
    // types its handlers with DOM events; the client reads only `data`, `code`, `reason`.
    WebSocket: guardedWebSocket(deps.window.WebSocket as unknown as Parameters<typeof guardedWebSocket>[0], report),
    clock,
    getContext: () => context,
    resetOnLoad: options.resetOnLoad,
    ...(options.user === undefined ? {} : { user: options.user }),
    logger: log,
  });

  /** The panel's side of the wiring (visitor-intents.ts), from the lazy chunk. */
  let visitorSide: VisitorSide | undefined;
  /** After the visitor sent a message or picked a reply. */
  const afterSend = () => {
    if (interacted) return;
    interacted = true;
    emitMessenger({ type: 'CONVERSATION', value: 'First User Interaction' });
  };

  const setOpen = (open: boolean) => {
    if (destroyed || forcedOpen || store.get().open === open) return;
    store.set({ open });
    emitMessenger({ type: 'ROUNDEL', value: open ? 'Opened' : 'Closed' });
  };


  const clientHandlers: { [K in keyof ChatClientEvents]: (event: ChatClientEvents[K]) => void } = {
    state: guard((connection) => store.set({ connection })),
    conversation: guard(({ chatId, threadId, settings, history }) => {
      // History is shown, never re-emitted (no `message` or `notification` for it).
      store.set({ settings: withOverrides(settings), pushes: history, typing: false });
      // The client emits `conversation` again when a resume could not be recovered; same thread, no new Ready.
      if (threadId === announcedThreadId) return;
      announcedThreadId = threadId;
      emitMessenger({ type: 'CONVERSATION', value: 'Ready', conversationId: threadId, chatId });
      announceUnread();
      preloadWhenIdle();
      loadIfHeld();
    }),
    push: guard((push) => {
      // The bot's or an agent's message ends their typing indicator.
      const botSpoke = push.action === 'incoming_event' && push.payload.event.author !== 'visitor';
      store.set((state) => ({ pushes: [...state.pushes, push], typing: botSpoke ? false : state.typing }));
      const message = hostMessage(push);
      if (message) events.emit('message', message);
      if (push.action === 'host_notification' && !isPrivateNotification(push.payload.message)) events.emit('notification', push.payload.message);
    }),
    typing: guard((typing) => store.set({ typing })),
    settings: guard((settings) => store.set({ settings: withOverrides(settings) })),
    outbox: guard((items) => visitorSide?.showPending(items)),
    error: (error) => log('warn', `${error.type}: ${error.message}`),
  };

  // Sending, picking and drafting are the panel's: they join these with the lazy chunk, before
  // the panel renders (withLazy), and nothing can raise them earlier.
  const intents = {
    onToggle: guard(() => setOpen(!store.get().open)),
    // A render error: the UI carries on too (its error boundary).
    onError: report,
  } as UiIntents;

  const clientEvents = Object.keys(clientHandlers) as (keyof ChatClientEvents)[];
  const onOnline = guard(() => client.onOnline());
  const onOffline = guard(() => client.onOffline());
  // Connect first: the socket's handshake and the login round trip then overlap with building the
  // shadow root and the roundel, instead of waiting for them (npm run bench: the boot path).
  // What can fail (a built-in the page broke before init, no shadow DOM) comes first: init then
  // returns an inert API, and nothing is attached or connected yet.
  const host = document.createElement('div');
  host.id = HOST_ELEMENT_ID;
  host.attachShadow({ mode: 'open' });
  for (const type of clientEvents) client.on(type, clientHandlers[type] as never);
  deps.window.addEventListener('online', onOnline);
  deps.window.addEventListener('offline', onOffline);
  guard(() => client.connect())();
  // After the socket: the store's first change reads the seen marker from storage.
  store.set({ connection: client.state });
  /** Undoes the above when mounting fails after all (init then returns an inert API). */
  const stop = () => {
    client.destroy();
    deps.window.removeEventListener('online', onOnline);
    deps.window.removeEventListener('offline', onOffline);
  };

  const widget = mountOrStop(stop, () => mount(host, {
    store,
    intents,
    nonce: options.nonce,
    // DisplayOptions is a subset of the options (alwaysOpen, displayRoundel, displayHeader, dir, lang).
    display: { ...options, inline: options.container !== undefined },
    loadPanel: (attempt) => {
      const loaded = deps.loadPanel(attempt);
      // Tests hand the module over as it is; the browser's import() a promise of it.
      return 'then' in loaded ? (loaded as Promise<LazyModule>).then(withLazy) : withLazy(loaded);
    },
    serverUrl: options.serverUrl,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  }));
  /** Starts what the lazy chunk brings besides the panel (visitor-intents.ts), once. */
  function withLazy(module: LazyModule): LazyModule {
    if (!visitorSide && !destroyed && module.startVisitorSide) {
      visitorSide = module.startVisitorSide(client, store, afterSend, guard, { window: deps.window, ...options, log }, intents);
    }
    return module;
  }
  /**
   * The panel chunk loads once the conversation is Ready and the page has nothing better to do,
   * so the first open is instant without the chunk competing with the page's own start (or with
   * the connection: nothing but messenger.js is fetched before Ready). The first open loads it
   * sooner when it comes first.
   */
  let idle: (() => void) | undefined;
  const preloadWhenIdle = () => {
    if (idle) return;
    const run = guard(() => widget.preload());
    const { requestIdleCallback: request, cancelIdleCallback: cancel } = deps.window;
    const native = typeof request === 'function' && typeof cancel === 'function';
    const handle = native ? request.call(deps.window, run, { timeout: IDLE_TIMEOUT_MS }) : clock.setTimeout(run, IDLE_FALLBACK_MS);
    idle = () => (native ? cancel.call(deps.window, handle as number) : clock.clearTimeout(handle));
  };
  /**
   * Page events, a context update or a stored outbox wait for the queues, and nothing of them
   * can go out before Ready: from Ready on, such a wait loads the chunk at once, not when idle.
   */
  const loadIfHeld = () => {
    if (announcedThreadId !== undefined && client.needsQueues) widget.preload();
  };
  // A script in <head> may call init before <body> exists: attach once it does.
  const attach = guard(() => (options.container ?? document.body)?.append(host));

  /**
   * The client call behind API method `method`, as a Promise. The client validates arguments
   * (outbox-items.ts): its TypeError is thrown, named after the method, when the arguments are
   * `valid` by the api's own reckoning too; any other throw (say, from a built-in the page broke)
   * becomes a rejection, never a throw into the page, and a refusal (an ErrorBody) an `Error`
   * carrying its `type`.
   */
  const call = (method: string, valid: boolean, fn: () => Promise<void>): Promise<void> => {
    if (destroyed) return Promise.reject(new Error('ServisBot: the messenger was destroyed'));
    try {
      const done = fn().catch((reason: unknown) => Promise.reject(asError(reason)));
      guard(loadIfHeld)();
      return done;
    } catch (error) {
      if (error instanceof TypeError && !valid) throw new TypeError(`ServisBot.${method}: ${error.message}`);
      report(error);
      return Promise.reject(asError(error));
    }
  };
  const off = guard((name: HostEventName, handler?: unknown) => events.off(name, handler as never));

  const api = Object.freeze<MessengerApi>({
    on(name, handler) {
      checkSubscription('on', name, handler, log);
      guard(() => events.on(name, handler))();
      return () => off(name, handler);
    },
    off,
    pageEvent(aliasOrEvent) {
      // Own properties only: an `Object.prototype.body` the page added is not a body.
      const event = isPlainObject(aliasOrEvent) ? aliasOrEvent : {};
      const alias = typeof aliasOrEvent === 'string' ? aliasOrEvent : own(event, 'alias');
      const body = own(event, 'body');
      const valid = typeof alias === 'string' && alias !== '' && alias.length <= NAME_CHARS && (body === undefined || isJsonObject(body));
      return call('pageEvent', valid, () => client.pageEvent(alias as string, body as JsonObject | undefined));
    },
    open: guard(() => setOpen(true)),
    close: guard(() => setOpen(false)),
    show: guard(() => store.set({ hidden: false })),
    hide: guard(() => store.set({ hidden: true })),
    toggle: intents.onToggle,
    reset: () => call('reset', true, () => client.startNewChat()),
    rewriteContext(next) {
      return call('rewriteContext', isJsonObject(next), () => {
        const updated = client.updateContext(next);
        // Validated by the client: a copy, so later changes by the page do not alter it.
        context = parseJson(stringifyJson(next)) as JsonObject;
        return updated;
      });
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      // In parts: one that fails (a built-in the page broke) must not leave the others undone.
      for (const part of [
        () => {
          for (const type of clientEvents) client.off(type, clientHandlers[type] as never);
          client.destroy();
        },
        () => {
          idle?.();
          widget.unmount();
        },
        () => {
          host.remove();
          document.removeEventListener('DOMContentLoaded', attach);
          deps.window.removeEventListener('online', onOnline);
          deps.window.removeEventListener('offline', onOffline);
          visitorSide?.destroy();
          events.clear();
          onDestroyed();
        },
      ]) {
        guarded(part, report)();
      }
    },
  });

  if (options.container || document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });
  return api;
}

/** `mount()`, or, when it throws (no shadow DOM, built-ins the page broke), `stop()` and the throw. */
function mountOrStop<T>(stop: () => void, mount: () => T): T {
  try {
    return mount();
  } catch (error) {
    stop();
    throw error;
  }
}

/** The longest the panel waits for an idle moment after Ready before it loads anyway. */
const IDLE_TIMEOUT_MS = 3_000;
/** Where there is no `requestIdleCallback` (Safari): load this long after Ready. */
const IDLE_FALLBACK_MS = 300;

/** An `Error` for a rejection reason: the client rejects with `{ type, message }` bodies. */
function asError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  const body = isPlainObject(reason) ? reason : {};
  const error: Error & { type?: string } = new Error(`ServisBot: ${typeof body.message === 'string' ? body.message : String(reason)}`);
  if (typeof body.type === 'string') error.type = body.type;
  return error;
}

function checkSubscription(method: string, eventName: unknown, handler: unknown, log: Logger): void {
  if (typeof eventName !== 'string') throw new TypeError(`ServisBot.${method}: name must be a string`);
  if (typeof handler !== 'function') throw new TypeError(`ServisBot.${method}: handler must be a function`);
  // An unknown name is not an error: a page written for a newer widget must still load.
  if (!isOneOf(eventName, HOST_EVENT_NAMES)) log('warn', `no event is named "${eventName}"`);
}
