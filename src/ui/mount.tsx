import { render } from 'preact';
import { App, type DisplayOptions, type UiIntents } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import type { UiState } from './state';
import type { Store } from './store';
import { resolveStrings } from './strings';
import css from './styles.css?inline';
import { themeApplier } from './theme';
import { trackVisualViewport } from './viewport';

export interface MountProps {
  store: Store<UiState>;
  display: DisplayOptions;
  intents: UiIntents;
}

export interface MountedWidget {
  /** Removes everything mount added (idempotent). The host element itself stays: its creator removes it. */
  unmount(): void;
}

/**
 * Renders the widget into an open shadow root on `host` and re-renders on every store change.
 * The shadow root keeps page CSS out and ours in (CONTRACT.md §3).
 */
export function mount(host: HTMLElement, { store, display, intents }: MountProps): MountedWidget {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const removeStyles = adoptStyles(shadow, css);
  // Preact renders into its own element: rendering into the shadow root itself would let it
  // reclaim a fallback <style> sibling as a stale child.
  const container = host.ownerDocument.createElement('div');
  shadow.append(container);
  if (display.inline) host.setAttribute('data-rd-inline', '');
  const stopTracking = display.inline ? () => {} : trackVisualViewport(container);
  const strings = resolveStrings(display.lang);
  const applyTheme = themeApplier(host);

  const draw = (state: UiState) => {
    try {
      applyTheme(state.settings.theme);
      render(
        <ErrorBoundary resetKey={state} onError={intents.onError}>
          <App state={state} display={display} strings={strings} intents={intents} />
        </ErrorBoundary>,
        container,
      );
    } catch (error) {
      // Errors outside the boundary's reach (the theme, Preact itself) must not reach the caller.
      intents.onError?.(error);
    }
  };
  draw(store.get());
  const unsubscribe = store.subscribe(draw);

  let mounted = true;
  return {
    unmount() {
      if (!mounted) return;
      mounted = false;
      unsubscribe();
      stopTracking();
      render(null, container);
      container.remove();
      removeStyles();
      applyTheme({});
      host.removeAttribute('data-rd-inline');
    },
  };
}

/**
 * Adds `text` to the shadow root as a constructable stylesheet (every browser the bundle targets
 * has them; unlike a <style> element they pass a CSP without 'unsafe-inline'); returns the undo.
 */
function adoptStyles(root: ShadowRoot, text: string): () => void {
  // The sheet must come from the host document's realm: a sheet constructed in another realm
  // (an iframe's script, a test runner) is refused by adoptedStyleSheets.
  const sheet = new root.ownerDocument.defaultView!.CSSStyleSheet();
  sheet.replaceSync(text);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  return () => {
    root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
  };
}
