/** What the widget renders. The api layer owns the store and translates client events into it. */
import type { ChatSettings, UiStrings } from '../protocol';
import type { TranscriptItem } from './transcript';
import { createStore, type Store } from './store';

/** Mirrors the client's connection states; the UI only shows a banner while `reconnecting`. */
export type ConnectionStatus = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** A visitor message or reply the server has not accepted yet (shown as "Sending…"). */
export interface PendingMessage {
  customId: string;
  text: string;
  /** When the visitor sent it (ISO 8601). */
  at: string;
}

export interface UiState {
  /** Whether the panel is shown. Always true in `alwaysOpen` and `container` modes. */
  open: boolean;
  /** Endpoint settings with the host's `title` / `theme` overrides already applied. */
  settings: ChatSettings;
  transcript: readonly TranscriptItem[];
  pending: readonly PendingMessage[];
  inputDisabled: boolean;
  typing: boolean;
  connection: ConnectionStatus;
  /** Bot messages the visitor has not seen (the badge on the closed roundel). */
  unread: number;
  /** The UI strings of the widget's language once they arrived from the server (i18n.ts); English until then. */
  strings?: UiStrings;
}

/** The initial state: closed, empty, enabled, `idle`; pass fields to override. */
export function createUiStore(initial: Partial<UiState> = {}): Store<UiState> {
  return createStore<UiState>({
    open: false,
    settings: { title: '', theme: {} },
    transcript: [],
    pending: [],
    inputDisabled: false,
    typing: false,
    connection: 'idle',
    unread: 0,
    ...initial,
  });
}
