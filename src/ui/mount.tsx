import { render } from 'preact';
import { App, type DisplayOptions, type UiIntents } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import type { UiState } from './state';
import type { Store } from './store';
import { ENGLISH } from './strings';
import css from './styles.css?inline';
import { themeApplier } from './theme';
import { trackVisualViewport } from './viewport';

export interface MountProps {
  store: Store<UiState>;
  display: DisplayOptions;
  intents: UiIntents;
  /** The page's CSP nonce, for the `<style>` used where constructable stylesheets are missing. Default: none. */
  nonce?: string;
}

export interface MountedWidget {
  /** Removes everything mount added (idempotent). The host element itself stays: its creator removes it. */
  unmount(): void;
}

/**
 * Renders the widget into an open shadow root on `host` and re-renders on every store change.
 * The shadow root keeps page CSS out and ours in (CONTRACT.md §3).
 */
export function mount(host: HTMLElement, { store, display, intents, nonce }: MountProps): MountedWidget {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const removeStyles = addStyles(shadow, css, nonce);
  // Preact renders into its own element: rendering into the shadow root itself would let it
  // reclaim a fallback <style> sibling as a stale child.
  const container = host.ownerDocument.createElement('div');
  shadow.append(container);
  if (display.inline) host.setAttribute('data-rd-inline', '');
  const stopTracking = display.inline ? () => {} : trackVisualViewport(container);
  const applyTheme = themeApplier(host);

  const draw = (state: UiState) => {
    try {
      applyTheme(state.settings.theme);
      render(
        <ErrorBoundary resetKey={state} onError={intents.onError}>
          <App state={state} display={display} strings={ENGLISH} intents={intents} />
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
 * Adds `text` to the shadow root as a constructable stylesheet: unlike a <style> element it
 * passes a CSP without 'unsafe-inline'. Where there are none (Safari < 16.4, Firefox < 101), a
 * `<style nonce>` first in the shadow root, which a `style-src 'nonce-…'` policy allows. Returns the undo.
 */
function addStyles(root: ShadowRoot, text: string, nonce: string | undefined): () => void {
  try {
    if (root.adoptedStyleSheets) {
      // The sheet must come from the host document's realm: a sheet constructed in another realm
      // (an iframe's script, a test runner) is refused by adoptedStyleSheets.
      const sheet = new root.ownerDocument.defaultView!.CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return () => {
        root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
      };
    }
  } catch {
    // No CSSStyleSheet constructor or replaceSync (older browsers that have the property): a <style> then.
  }
  const style = root.ownerDocument.createElement('style');
  if (nonce) style.setAttribute('nonce', nonce);
  style.textContent = text;
  root.prepend(style);
  return () => style.remove();
}
