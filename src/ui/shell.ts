/**
 * The first load of the widget: the shadow root, the theme, the roundel and the unread badge,
 * built with plain DOM calls (no Preact: every byte here is paid by every host page before the
 * conversation is Ready). The panel is a separate chunk (panel-chunk.tsx) that {@link mount} loads on
 * demand: at the first open, or earlier when the api layer calls `preload()`.
 */
import type { DisplayOptions, UiIntents } from './Panel';
import type { PanelModule } from './panel-chunk';
import type { UiState } from './state';
import type { Store } from './store';
import { ROUNDEL_ENGLISH } from './strings';
import css from './shell.css?inline';
import { addStyles } from './add-styles';
import { createRoundel } from './roundel';
import { themeApplier } from './theme';

export interface MountProps {
  store: Store<UiState>;
  display: DisplayOptions;
  intents: UiIntents;
  /** The page's CSP nonce, for the `<style>` used where constructable stylesheets are missing. Default: none. */
  nonce?: string;
  /**
   * Loads the panel chunk; `attempt` counts from 0 (a retry may need another URL: a failed
   * module import is remembered by the browser). May return the module itself when it is at hand.
   */
  loadPanel(attempt: number): PanelModule | Promise<PanelModule>;
  /** The server the strings table of a language other than English comes from (i18n.ts). */
  serverUrl: string;
  /** Timers that survive a page that replaced its own (the api layer's guarded clock). */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface MountedWidget {
  /** Starts loading the panel now, if it is not loaded or loading (idempotent). */
  preload(): void;
  /** Removes everything mount added (idempotent). The host element itself stays: its creator removes it. */
  unmount(): void;
}

/** Delays before each retry of a panel chunk that failed to load; then the next open tries again. */
export const PANEL_RETRY_MS: readonly number[] = [500, 2_000, 8_000];

/**
 * Renders the widget into an open shadow root on `host` and re-renders on every store change.
 * The shadow root keeps page CSS out and ours in (README.md, "The widget").
 */
export function mount(host: HTMLElement, props: MountProps): MountedWidget {
  const { store, display, intents, nonce } = props;
  const doc = host.ownerDocument;
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const removeStyles = [addStyles(shadow, css, nonce)];
  const forcedOpen = display.inline || display.alwaysOpen;
  const withRoundel = !forcedOpen && display.displayRoundel;

  // The panel renders into `slot`; the roundel follows it, so the tab order is panel, roundel.
  const root = doc.createElement('div');
  root.dir = display.dir;
  root.lang = display.lang;
  const slot = doc.createElement('div');
  root.append(slot);
  shadow.append(root);
  if (display.inline) host.setAttribute('data-rd-inline', '');
  const applyTheme = themeApplier(host);

  let panel: { unmount(): void; focusInput(): void } | undefined;
  let loading = false;
  let retryTimer: unknown;
  let focusWhenLoaded = false;
  let mounted = true;

  const focusRoundel = () => roundel?.button.focus();
  const roundel = withRoundel
    ? createRoundel(doc, () => {
        const opening = !store.get().open;
        intents.onToggle();
        // Focus moves only on the visitor's own gestures: the host page's open() must not steal it.
        if (opening && store.get().open) {
          if (panel) panel.focusInput();
          else focusWhenLoaded = true;
        }
      })
    : undefined;
  if (roundel) root.append(roundel.element);

  const attach = (module: PanelModule) => {
    if (!mounted || panel) return;
    removeStyles.push(addStyles(shadow, module.css, nonce));
    const loaded = module.renderPanel(slot, {
      store,
      display,
      intents,
      closable: !forcedOpen,
      onClosed: focusRoundel,
    });
    panel = loaded;
    draw(store.get());
    if (focusWhenLoaded && store.get().open) loaded.focusInput();
    focusWhenLoaded = false;
    // Strings of another language arrive with the panel: until then the roundel speaks English.
    void module.loadStrings(props.serverUrl, display.lang).then((strings) => {
      if (mounted && strings) store.set({ strings });
    });
  };

  const load = (attempt: number) => {
    if (!mounted || panel) return;
    loading = true;
    const failed = (error: unknown) => {
      loading = false;
      intents.onError?.(error);
      const delay = PANEL_RETRY_MS[attempt];
      // Out of retries: the roundel stays, and the next open or preload starts over.
      if (mounted && delay !== undefined) {
        loading = true;
        retryTimer = props.setTimeout(() => load(attempt + 1), delay);
      }
    };
    try {
      const result = props.loadPanel(attempt);
      if (isPromise(result)) result.then(attach, failed);
      else attach(result);
    } catch (error) {
      failed(error);
    }
  };
  const preload = () => {
    if (!loading && !panel) load(0);
  };

  root.addEventListener('keydown', (event) => {
    // Escape anywhere in the widget (the panel or the roundel itself) closes it, focus back on the roundel.
    if (event.key === 'Escape' && withRoundel && store.get().open) {
      intents.onToggle();
      focusRoundel();
    }
  });

  const draw = (state: UiState) => {
    try {
      applyTheme(state.settings.theme);
      const shown = forcedOpen || state.open;
      root.className = `rd-root ${display.inline ? 'rd-inline' : 'rd-floating'}${shown ? ' rd-open' : ''}${withRoundel ? '' : ' rd-noroundel'}`;
      root.hidden = state.hidden;
      roundel?.update(state.open, state.unread, state.strings ?? ROUNDEL_ENGLISH, panel !== undefined);
      if (shown) preload();
    } catch (error) {
      intents.onError?.(error);
    }
  };
  draw(store.get());
  const unsubscribe = store.subscribe(draw);

  return {
    preload,
    unmount() {
      if (!mounted) return;
      mounted = false;
      unsubscribe();
      props.clearTimeout(retryTimer);
      panel?.unmount();
      root.remove();
      for (const remove of removeStyles) remove();
      applyTheme({});
      host.removeAttribute('data-rd-inline');
    },
  };
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as { then?: unknown } | null)?.then === 'function';
