/**
 * The unread count, from the conversation's pushes (in the first load: the roundel's badge and
 * the host page's `unread` event need it before the panel exists). A message is unread when it
 * came from the other side (the bot or an agent) after the newest one the visitor saw.
 */
import type { StoredPush } from '../protocol';

/** The id of a push that shows a message from the other side, else `undefined`. */
const incomingId = (push: StoredPush): string | undefined =>
  push.action === 'incoming_event' && push.payload.event.author !== 'visitor' ? push.payload.event.id : undefined;

/** The id of the newest message from the bot or an agent, or `undefined` when there is none. */
export function newestIncomingId(pushes: readonly StoredPush[]): string | undefined {
  for (let i = pushes.length - 1; i >= 0; i--) {
    const id = incomingId(pushes[i]!);
    if (id !== undefined) return id;
  }
  return undefined;
}

/**
 * The messages from the other side after the one with id `seenId` (all of them when it is not
 * there: nothing seen yet, or another conversation).
 */
export function unreadCount(pushes: readonly StoredPush[], seenId: string | undefined): number {
  let count = 0;
  for (const push of pushes) {
    const id = incomingId(push);
    if (id === undefined) continue;
    count = id === seenId ? 0 : count + 1;
  }
  return count;
}
