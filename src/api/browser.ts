import { createChatClient } from '../client';
import type { MessengerDeps } from './deps';

/**
 * The real environment: this window and a real `ChatClient`. `defaultServerUrl`: the bundle
 * entry passes its own `src`'s origin, the ES module the origin of a `messenger.js` script on the page.
 */
export function browserDeps(loadPanel: MessengerDeps['loadPanel'], defaultServerUrl: () => string): MessengerDeps {
  return { window, defaultServerUrl, loadPanel, createClient: (options) => createChatClient(options) };
}
