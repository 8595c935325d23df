/**
 * What the host page hears of pushes (README.md, "The widget"): `message` for every message added to
 * the transcript while the page is open, `notification` for public host notifications; private
 * ones (`SB:::...`) steer the widget (ui/input-state.ts) and never leave it.
 */
import { PRIVATE_NOTIFICATION_PREFIX, type StoredPush } from '../protocol';
import type { HostMessage } from './types';

export const isPrivateNotification = (message: string): boolean => message.startsWith(PRIVATE_NOTIFICATION_PREFIX);

/** The `message` event of a push that adds a message to the transcript, else `undefined`. Frozen: handlers share it. */
export function hostMessage(push: StoredPush): HostMessage | undefined {
  if (push.action === 'incoming_event') {
    const { id, author, text, created_at } = push.payload.event;
    return Object.freeze({ id, author, text, createdAt: created_at });
  }
  if (push.action === 'incoming_rich_message_postback') {
    // The visitor's pick, shown as their answer (transcript.ts gives it the same id).
    const { seq, postback, text, created_at } = push.payload;
    return Object.freeze({ id: `postback-${seq}`, author: 'visitor', text: text ?? postback.id, createdAt: created_at });
  }
  return undefined;
}
