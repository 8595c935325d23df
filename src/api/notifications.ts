/**
 * Host notifications: public ones go to the host page, private ones (`SB:::...`) steer the widget
 * and never leave it (CONTRACT.md §3).
 */
import { PRIVATE_NOTIFICATION_PREFIX, USER_INPUT_DISABLED, USER_INPUT_ENABLED, type StoredPush } from '../protocol';

export const isPrivateNotification = (message: string): boolean => message.startsWith(PRIVATE_NOTIFICATION_PREFIX);

/** The input-disabled state a private notification sets, or `undefined` when it sets none. */
export function inputDisabledBy(message: string): boolean | undefined {
  if (message === USER_INPUT_DISABLED) return true;
  if (message === USER_INPUT_ENABLED) return false;
  return undefined;
}

/** The input-disabled state after a conversation's history: its last input notification wins. */
export function inputDisabledAfter(history: readonly StoredPush[], initial: boolean): boolean {
  let disabled = initial;
  for (const push of history) {
    if (push.action === 'host_notification') disabled = inputDisabledBy(push.payload.message) ?? disabled;
  }
  return disabled;
}
