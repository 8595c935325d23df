/**
 * The bundle entry (an IIFE): defines `window.ServisBot` and its alias `window.ServisBOT`, and
 * touches no other global. It exports only a type. Three ways in:
 * - `ServisBot.init(options)` from the page;
 * - the zero-JS tag: a `data-organization` attribute on the script makes it init itself from its
 *   `data-*` attributes;
 * - the async snippet (README): calls recorded in `ServisBot.q` before this script ran are replayed.
 */
import { version } from '../../package.json';
import { browserDeps } from './browser';
import { createInit, currentInstance } from './init';
import { optionsFromDataset } from './options';
import { drainQueue, isSnippetStub } from './queue';
import { scriptOrigin } from './server-url';
import type { LazyModule } from './lazy';
import type { MessengerApi } from './types';

/** `window.ServisBot`: `init(options)`, the living `instance` and the widget's `version`. */
export type ServisBotGlobal = {
  readonly init: ReturnType<typeof createInit>;
  /** The living instance, or `undefined` before `init` and after `destroy()`. */
  readonly instance: MessengerApi | undefined;
  readonly version: string;
};

declare global {
  interface Window {
    ServisBot: ServisBotGlobal;
    /** An alias of `ServisBot`. */
    ServisBOT: ServisBotGlobal;
  }
}

// `document.currentScript` is only set while this script runs (and not in every browser for an
// async one): read it now, else find the tag by its attributes.
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="messenger"][data-organization]');
const serverUrl = scriptOrigin(document, script);
/**
 * The panel chunk, from the server that served this script, at the content-hashed path the build
 * wrote (vite.config.ts). A retry asks for another URL: the browser remembers a failed import.
 */
const chunk: string | undefined = import.meta.env.ROUNDEL_PANEL_CHUNK;
// `chunk` is a constant of the build: the bundle keeps one of the two branches.
const loadPanel: (attempt: number) => Promise<LazyModule> = chunk
  ? (attempt) => {
      const url = new URL(chunk, script?.src || `${serverUrl}/messenger.js`).href;
      return import(/* @vite-ignore */ attempt ? `${url}?retry=${attempt}` : url);
    }
  : // Only when this file runs from source (unit tests): the roundel works, the panel cannot open.
    () => Promise.reject(new Error('no panel chunk: messenger.js is built by vite.config.ts'));

// The same page may load messenger.js twice: keep the first copy, whose instance may be live,
// so a second copy cannot add a second widget. The snippet's stub is replaced (and drained).
const loaded: unknown = window.ServisBot;
if (isSnippetStub(loaded) || !loaded) {
  const init = createInit(browserDeps(loadPanel, () => serverUrl));
  window.ServisBot = window.ServisBOT = Object.freeze({
    init,
    get instance() {
      return currentInstance();
    },
    version,
  });
  let failure: unknown;
  try {
    if (script?.dataset.organization !== undefined) init(optionsFromDataset(script.dataset));
  } catch (error) {
    failure = error;
  }
  if (isSnippetStub(loaded)) drainQueue(loaded.q, init, window);
  // A bad data-* attribute is the page author's to see, like a bad init() call: uncaught, but
  // only after the global and the queue are in place.
  if (failure) throw failure;
}
