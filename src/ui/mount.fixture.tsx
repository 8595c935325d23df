/** Mounts the widget into a fresh host for ui tests, and builds stored pushes (never bundled). */
import { within } from '@testing-library/preact';
import { afterEach, vi } from 'vitest';
import type { StoredPush } from '../protocol';
import type { DisplayOptions, UiIntents } from './Panel';
import * as panelModule from './panel-chunk';
import type { PanelModule } from './panel-chunk';
import { mount, type MountedWidget, type MountProps } from './shell';
import { createUiStore, type UiState } from './state';
import type { Store } from './store';

export const FLOATING: DisplayOptions = {
  inline: false,
  alwaysOpen: false,
  displayRoundel: true,
  displayHeader: true,
  textInputDisabled: false,
  dir: 'ltr',
  lang: 'en',
};

export interface Harness {
  host: HTMLElement;
  shadow: ShadowRoot;
  store: Store<UiState>;
  intents: { [K in Exclude<keyof UiIntents, 'fileLinks'>]-?: ReturnType<typeof vi.fn> & NonNullable<UiIntents[K]> };
  view: ReturnType<typeof within>;
  widget: MountedWidget;
  /** How the panel chunk was asked for: one entry per attempt. */
  loads: number[];
}

let mounted: Harness[] = [];

afterEach(() => {
  for (const { widget, host } of mounted) {
    widget.unmount();
    host.remove();
  }
  mounted = [];
});

/** The panel chunk as the bundle's loader gives it, but at once (the real one is an `import()`). */
export const PANEL: PanelModule = { ...panelModule, loadStrings: () => Promise.resolve(undefined) };

/**
 * Mounts with `display` over {@link FLOATING} and `state` over the initial state; unmounted after
 * the test. The panel chunk is at hand (it attaches synchronously when first needed) unless
 * `props.loadPanel` says otherwise.
 */
export function setup(display: Partial<DisplayOptions> = {}, state: Partial<UiState> = {}, props: Partial<MountProps> = {}): Harness {
  const host = document.createElement('div');
  document.body.append(host);
  const store = createUiStore(state);
  const intents = { onToggle: vi.fn(), onSend: vi.fn(), onPickReply: vi.fn(), onDraft: vi.fn(), onAttach: vi.fn(), onError: vi.fn() };
  const loads: number[] = [];
  const widget = mount(host, {
    store,
    display: { ...FLOATING, ...display },
    intents,
    serverUrl: 'https://chat.example.com',
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as number),
    ...props,
    loadPanel: (attempt) => {
      loads.push(attempt);
      return props.loadPanel ? props.loadPanel(attempt) : PANEL;
    },
  });
  const shadow = host.shadowRoot!;
  // Testing Library's queries work on any node with querySelectorAll; a ShadowRoot is one.
  const view = within(shadow as unknown as HTMLElement);
  const harness = { host, shadow, store, intents, view, widget, loads } as Harness;
  mounted.push(harness);
  return harness;
}

/** An intent handler that does what the api layer does: toggles `open` in the store. */
export function togglesStore(harness: Harness): Harness {
  harness.intents.onToggle.mockImplementation(() => harness.store.set({ open: !harness.store.get().open }));
  return harness;
}

export const AT = '2025-01-01T09:05:00.000Z';

let seq = 0;
const message = (id: string, author: 'bot' | 'visitor' | 'agent', text: string, extra: object = {}): StoredPush => ({
  action: 'incoming_event',
  type: 'push',
  payload: { chat_id: 'chat-1', seq: ++seq, event: { id, type: 'message', author: author as 'bot', text, created_at: AT, ...extra } },
});

export const bot = (id: string, text: string, quickReplies?: string[]): StoredPush => message(id, 'bot', text, quickReplies ? { quick_replies: quickReplies } : {});
export const visitor = (id: string, text: string, customId?: string): StoredPush => message(id, 'visitor', text, customId ? { custom_id: customId } : {});
