/**
 * The Preact widget: renders state into a shadow root and raises intents. No sockets, no
 * `window.ServisBot`: the api layer owns the store and wires it to the client. Two entries: this
 * one (the shell: shadow root, roundel, store, unread count; in the first load) and
 * panel-chunk.tsx (the panel, loaded on demand; `loadPanel` for bundlers).
 * @module ui
 */
export { mount, PANEL_RETRY_MS, type MountProps, type MountedWidget } from './shell';
export type { DisplayOptions, UiIntents } from './Panel';
export type { PanelModule } from './panel-chunk';
export { createUiStore, type ConnectionStatus, type PendingMessage, type UiState, type UploadRefusal } from './state';
export type { Store } from './store';
export { newestIncomingId, unreadCount } from './unread';
export { pickLanguage } from './strings';
// For the agent console; its Preact components come from the panel entry (panel-chunk.tsx), so none reach the first load.
export { createStore } from './store';
export { ENGLISH, type UiStrings } from './strings';
export type { TranscriptItem } from './transcript';
export { readFile, type FileLinks, type ShownFile } from './file';
export { safeHref } from './markdown';
