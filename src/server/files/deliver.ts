/**
 * A visitor file's push as it goes out to the chat's widget: the stored push has no URL (it would
 * expire in the log), so each delivery gets a freshly signed one. Pushes are shared by every
 * connection of the chat: this copies, never mutates.
 */
import type { Push } from '../../protocol';
import type { FileUrlSigner } from './urls';

/** `push` with a signed `event.file.url` when it carries a file; `push` itself otherwise. */
export function withFileUrl<P extends Push>(push: P, signer: FileUrlSigner | undefined, publicUrl: () => string): P {
  if (push.action !== 'incoming_event' || signer === undefined) return push;
  const { event } = push.payload;
  if (event.file === undefined) return push;
  return { ...push, payload: { ...push.payload, event: { ...event, file: { ...event.file, url: signer.url(publicUrl(), event.file.id) } } } };
}
