/** Mounts the widget into a fresh host for ui tests, and builds transcript items (never bundled). */
import { within } from '@testing-library/preact';
import { afterEach, vi } from 'vitest';
import type { DisplayOptions, UiIntents } from './App';
import { mount, type MountedWidget } from './mount';
import { createUiStore, type UiState } from './state';
import type { Store } from './store';
import type { TranscriptItem } from './transcript';

export const FLOATING: DisplayOptions = { inline: false, alwaysOpen: false, displayRoundel: true, displayHeader: true, dir: 'ltr', lang: 'en' };

export interface Harness {
  host: HTMLElement;
  shadow: ShadowRoot;
  store: Store<UiState>;
  intents: { [K in keyof UiIntents]-?: ReturnType<typeof vi.fn> & NonNullable<UiIntents[K]> };
  view: ReturnType<typeof within>;
  widget: MountedWidget;
}

let mounted: Harness[] = [];

afterEach(() => {
  for (const { widget, host } of mounted) {
    widget.unmount();
    host.remove();
  }
  mounted = [];
});

/** Mounts with `display` over {@link FLOATING} and `state` over the initial state; unmounted after the test. */
export function setup(display: Partial<DisplayOptions> = {}, state: Partial<UiState> = {}): Harness {
  const host = document.createElement('div');
  document.body.append(host);
  const store = createUiStore(state);
  const intents = { onToggle: vi.fn(), onSend: vi.fn(), onPickReply: vi.fn(), onDraft: vi.fn(), onError: vi.fn() };
  const widget = mount(host, { store, display: { ...FLOATING, ...display }, intents });
  const shadow = host.shadowRoot!;
  // Testing Library's queries work on any node with querySelectorAll; a ShadowRoot is one.
  const view = within(shadow as unknown as HTMLElement);
  const harness = { host, shadow, store, intents, view, widget } as Harness;
  mounted.push(harness);
  return harness;
}

/** An intent handler that does what the api layer does: toggles `open` in the store. */
export function togglesStore(harness: Harness): Harness {
  harness.intents.onToggle.mockImplementation(() => harness.store.set({ open: !harness.store.get().open }));
  return harness;
}

export const AT = '2025-01-01T09:05:00.000Z';

export const bot = (id: string, text: string, quickReplies?: string[]): TranscriptItem => ({ kind: 'message', id, author: 'bot', text, at: AT, quickReplies });
export const visitor = (id: string, text: string, customId?: string): TranscriptItem => ({ kind: 'message', id, author: 'visitor', text, at: AT, customId });
