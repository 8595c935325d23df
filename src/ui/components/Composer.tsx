import { useState } from 'preact/hooks';
import type { Ref } from 'preact';
import { Limits } from '../../protocol';
import type { UiStrings } from '../strings';

interface ComposerProps {
  disabled: boolean;
  strings: UiStrings;
  inputRef: Ref<HTMLTextAreaElement>;
  onSend(text: string): void;
}

/** The textbox ("Message") and the "Send" button. Enter sends, Shift+Enter starts a new line. */
export function Composer({ disabled, strings, inputRef, onSend }: ComposerProps) {
  const [draft, setDraft] = useState('');

  const submit = () => {
    const text = draft.trim();
    if (disabled || text === '') return;
    onSend(text);
    setDraft('');
  };

  return (
    <form
      class="rd-composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <textarea
        ref={inputRef}
        class="rd-input"
        rows={1}
        aria-label={strings.message}
        placeholder={strings.messagePlaceholder}
        maxLength={Limits.textChars}
        value={draft}
        disabled={disabled}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onKeyDown={(event) => {
          // isComposing: Enter that confirms an IME composition (Japanese, Chinese...) must not send.
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" class="rd-send" aria-label={strings.send} disabled={disabled}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
          <path d="M3.4 20.4l17.5-7.5a1 1 0 0 0 0-1.8L3.4 3.6a.7.7 0 0 0-1 .8L4.5 11l9 1-9 1-2.1 6.6a.7.7 0 0 0 1 .8z" fill="currentColor" />
        </svg>
      </button>
    </form>
  );
}
