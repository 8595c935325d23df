import { h } from 'preact';
import type { UiStrings } from '../strings';

interface QuickRepliesProps {
  replies: readonly string[];
  strings: UiStrings;
  onPick(text: string): void;
}

/**
 * Buttons named by their text; they vanish once the visitor picks one or sends a message. They
 * stay usable while text input is disabled: bots disable the textbox precisely to ask for a pick.
 * A pick by keyboard moves focus on to the textbox, so focus is not lost with the vanished button
 * (not by pointer: on a phone that would pop up the on-screen keyboard).
 */
export function QuickReplies({ replies, strings, onPick }: QuickRepliesProps) {
  return (
    <div class="rd-replies" role="group" aria-label={strings.quickReplies}>
      {replies.map((reply, index) => (
        // Index in the key: a bot may offer the same label twice.
        <button
          key={`${index}:${reply}`}
          type="button"
          class="rd-reply"
          onClick={({ currentTarget }) => {
            const input = currentTarget.matches(':focus-visible') ? currentTarget.closest('.rd-panel')?.querySelector('textarea') : null;
            onPick(reply);
            input?.focus();
          }}
        >
          {reply}
        </button>
      ))}
    </div>
  );
}
