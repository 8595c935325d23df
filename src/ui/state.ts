/** What the widget renders. The api layer owns the store and translates client events into it. */
import type { ChatSettings, StoredPush, UiStrings } from '../protocol';
import { createStore, type Store } from './store';

/** Mirrors the client's connection states; the UI only shows a banner while `reconnecting`. */
export type ConnectionStatus = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** A visitor message or reply the server has not accepted yet (shown as "Sending…"). */
export interface PendingMessage {
  customId: string;
  text: string;
  /** When the visitor sent it (ISO 8601). */
  at: string;
  /** A file being sent: the share of its bytes sent so far, 0 to 1. */
  progress?: number;
}

/** Why a file the visitor picked was not sent (the panel says so, naming the file). */
export interface UploadRefusal {
  reason: 'tooLarge' | 'type' | 'refused';
  name: string;
}

export interface UiState {
  /** Whether the panel is shown. Always true in `alwaysOpen` and `container` modes. */
  open: boolean;
  /** The whole widget hidden by the host page (`hide()`); the conversation goes on. */
  hidden: boolean;
  /** Endpoint settings with the host's `theme` override already applied. */
  settings: ChatSettings;
  /**
   * The conversation's stored pushes in `seq` order (its history, then what arrived live). The
   * panel derives the transcript and the composer's state from them (transcript.ts,
   * input-state.ts), the shell the unread count (unread.ts).
   */
  pushes: readonly StoredPush[];
  pending: readonly PendingMessage[];
  /** Files being sent (shown like pending messages, with their progress) until their message arrives. */
  uploads: readonly PendingMessage[];
  /** The last file that could not be sent; cleared by the next one picked. */
  uploadRefusal?: UploadRefusal;
  /** Who is typing: `false` nobody, `true` the bot, a string the name of the agent typing. */
  typing: boolean | string;
  connection: ConnectionStatus;
  /** Messages the visitor has not seen (the badge on the closed roundel). */
  unread: number;
  /** The UI strings of the widget's language once they arrived from the server (i18n.ts); English until then. */
  strings?: UiStrings;
}

/** The initial state: closed, empty, `idle`; pass fields to override. */
export function createUiStore(initial: Partial<UiState> = {}): Store<UiState> {
  return createStore<UiState>({
    open: false,
    hidden: false,
    settings: { title: '', theme: {} },
    pushes: [],
    pending: [],
    uploads: [],
    typing: false,
    connection: 'idle',
    unread: 0,
    ...initial,
  });
}
