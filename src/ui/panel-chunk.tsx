/**
 * The panel chunk: everything the widget shows once it is opened (Preact, the components, the
 * rich renderers, the panel's CSS) and the loader of non-English strings. messenger.js loads it
 * with `import()` from its own server after the conversation is Ready and the page is idle, or
 * at the first open (shell.ts); the ES module build lets the site's bundler split it.
 */
import { h, render } from 'preact';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Panel, type DisplayOptions, type UiIntents } from './Panel';
import css from './panel.css?inline';
import type { UiState } from './state';
import type { Store } from './store';
import { trackVisualViewport } from './viewport';

export { css };
export { loadStrings } from './i18n';
// The components the agent console reuses (one copy: the widget's own).
export { Log } from './components/Log';
export { Composer } from './components/Composer';
export { ErrorBoundary } from './components/ErrorBoundary';

export interface PanelMountProps {
  store: Store<UiState>;
  display: DisplayOptions;
  intents: UiIntents;
  /** Whether the header has a "Close chat" button. */
  closable: boolean;
  /** After the header's close button closed the panel. */
  onClosed(): void;
}

export interface MountedPanel {
  unmount(): void;
  /** Focuses the composer's textbox (after the visitor opened the panel). */
  focusInput(): void;
}

/** Renders the panel into `slot` and re-renders on every store change. */
export function renderPanel(slot: HTMLElement, { store, display, intents, closable, onClosed }: PanelMountProps): MountedPanel {
  const stopTracking = display.inline ? () => {} : trackVisualViewport(slot);
  const draw = (state: UiState) => {
    try {
      render(
        <ErrorBoundary resetKey={state} onError={intents.onError}>
          <Panel state={state} display={display} intents={intents} closable={closable} onClosed={onClosed} />
        </ErrorBoundary>,
        slot,
      );
    } catch (error) {
      // Errors outside the boundary's reach (Preact itself) must not reach the caller.
      intents.onError?.(error);
    }
  };
  draw(store.get());
  const unsubscribe = store.subscribe(draw);
  return {
    unmount() {
      unsubscribe();
      stopTracking();
      render(null, slot);
    },
    focusInput: () => slot.querySelector<HTMLElement>('.rd-input')?.focus(),
  };
}

/** What shell.ts gets from `import()` of this chunk. */
export interface PanelModule {
  css: string;
  loadStrings: typeof import('./i18n').loadStrings;
  renderPanel: typeof renderPanel;
}
