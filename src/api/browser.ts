import { ChatClient } from '../client';
import type { MessengerDeps } from './deps';
import { scriptOrigin } from './server-url';

/**
 * The real environment: this window and a real `ChatClient`. `defaultServerUrl` defaults to the
 * origin of a `messenger.js` script on the page (the bundle entry passes its own `src` instead).
 */
export function browserDeps(
  loadPanel: MessengerDeps['loadPanel'],
  defaultServerUrl: () => string = () => scriptOrigin(document, null),
): MessengerDeps {
  return { window, defaultServerUrl, loadPanel, createClient: (options) => new ChatClient(options) };
}
