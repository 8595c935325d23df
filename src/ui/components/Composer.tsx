import { h } from 'preact';
import { TEXT_CHARS } from '../../protocol';
import type { UiStrings } from '../strings';

interface ComposerProps {
  disabled: boolean;
  strings: UiStrings;
  onSend(text: string): void;
  /** The text changed (typed, or emptied by a send). */
  onDraft?(text: string): void;
}

/** Sends the textbox's trimmed text (nothing when blank or disabled) and empties it. */
function submit(box: HTMLTextAreaElement | null | undefined, disabled: boolean, onSend: (text: string) => void, onDraft?: (text: string) => void): void {
  const text = box?.value.trim();
  if (!box || disabled || !text) return;
  onSend(text);
  box.value = '';
  onDraft?.('');
}

/**
 * The textbox ("Message") and the "Send" button. Enter sends, Shift+Enter starts a new line.
 * The textbox is uncontrolled: the draft lives in the DOM, so typing re-renders nothing.
 */
export function Composer({ disabled, strings, onSend, onDraft }: ComposerProps) {
  return (
    <form
      class="rd-composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit(event.currentTarget.querySelector('textarea'), disabled, onSend, onDraft);
      }}
    >
      <textarea
        class="rd-input"
        rows={1}
        aria-label={strings.message}
        placeholder={`${strings.message}…`}
        maxLength={TEXT_CHARS}
        disabled={disabled}
        onInput={onDraft && ((event) => onDraft(event.currentTarget.value))}
        onKeyDown={(event) => {
          // isComposing: Enter that confirms an IME composition (Japanese, Chinese...) must not send.
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit(event.currentTarget, disabled, onSend, onDraft);
          }
        }}
      />
      <button type="submit" class="rd-send" aria-label={strings.send} disabled={disabled}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="currentColor">
          <path d="M3 20.5 21 12 3 3.5V10l12 2-12 2z" />
        </svg>
      </button>
    </form>
  );
}
