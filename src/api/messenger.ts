/**
 * The bundle entry (an IIFE): defines `window.ServisBot` and its alias `window.ServisBOT`, and
 * touches no other global. It exports only a type.
 */
import { version } from '../../package.json';
import { browserDeps } from './browser';
import { createInit } from './init';
import { scriptOrigin } from './server-url';

/** `window.ServisBot`: `init(options)` and the widget's `version`. */
export type ServisBotGlobal = { readonly init: ReturnType<typeof createInit>; readonly version: string };

declare global {
  interface Window {
    ServisBot: ServisBotGlobal;
    /** An alias of `ServisBot`. */
    ServisBOT: ServisBotGlobal;
  }
}

// `document.currentScript` is only set while this script runs: read it now, not in init().
const serverUrl = scriptOrigin(document, document.currentScript);

// The same page may load messenger.js twice: keep the first copy, whose instance may be live,
// so a second copy cannot add a second widget.
const loaded: ServisBotGlobal | undefined = window.ServisBot;
const ServisBot: ServisBotGlobal = loaded ?? Object.freeze({ init: createInit(browserDeps(() => serverUrl)), version });
window.ServisBot = window.ServisBOT = ServisBot;
