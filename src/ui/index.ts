/**
 * The Preact widget: renders state into a shadow root and raises intents. No sockets, no
 * `window.ServisBot`: the api layer owns the store and wires it to the client.
 * @module ui
 */
export { mount, type MountProps, type MountedWidget } from './mount';
export type { DisplayOptions, UiIntents } from './App';
export { createUiStore, type ConnectionStatus, type PendingMessage, type UiState } from './state';
export type { Store } from './store';
export { applyPush, lastBotMessageId, transcriptFromHistory, unreadCount, type TranscriptItem } from './transcript';
export { pickLanguage } from './strings';
export { loadStrings } from './i18n';
// The pieces the agent console reuses.
export { createStore } from './store';
export { Log } from './components/Log';
export { Composer } from './components/Composer';
export { ErrorBoundary } from './components/ErrorBoundary';
export { ENGLISH, type UiStrings } from './strings';
