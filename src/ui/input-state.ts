/**
 * Whether the composer is disabled: the bot steers it with the private host notifications
 * `SB:::UserInputDisabled` / `SB:::UserInputEnabled` (README.md, "The widget"), stored in the conversation
 * like any push, so a reload shows the state the last one left.
 */
import { USER_INPUT_DISABLED, USER_INPUT_ENABLED, type StoredPush } from '../protocol';

/** The input-disabled state after `pushes`, starting from `initial` (the `textInputDisabled` option): the last input notification wins. */
export function inputDisabledAfter(pushes: readonly StoredPush[], initial: boolean): boolean {
  let disabled = initial;
  for (const push of pushes) {
    if (push.action !== 'host_notification') continue;
    if (push.payload.message === USER_INPUT_DISABLED) disabled = true;
    else if (push.payload.message === USER_INPUT_ENABLED) disabled = false;
  }
  return disabled;
}
