import type { UiStrings } from '../strings';

interface QuickRepliesProps {
  replies: readonly string[];
  strings: UiStrings;
  onPick(text: string): void;
}

/**
 * Buttons named by their text; they vanish once the visitor picks one or sends a message. They
 * stay usable while text input is disabled: bots disable the textbox precisely to ask for a pick.
 */
export function QuickReplies({ replies, strings, onPick }: QuickRepliesProps) {
  return (
    <div class="rd-replies" role="group" aria-label={strings.quickReplies}>
      {replies.map((reply, index) => (
        // Index in the key: a bot may offer the same label twice.
        <button key={`${index}:${reply}`} type="button" class="rd-reply" onClick={() => onPick(reply)}>
          {reply}
        </button>
      ))}
    </div>
  );
}
