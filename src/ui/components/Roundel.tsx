import type { Ref } from 'preact';
import type { UiStrings } from '../strings';

interface RoundelProps {
  open: boolean;
  strings: UiStrings;
  /** The id of the panel this button shows and hides. */
  controls: string;
  buttonRef: Ref<HTMLButtonElement>;
  onToggle(): void;
}

/** The floating launcher: the messenger's only open/close control (CONTRACT.md §3). */
export function Roundel({ open, strings, controls, buttonRef, onToggle }: RoundelProps) {
  return (
    <button
      ref={buttonRef}
      type="button"
      class="rd-roundel"
      aria-label={open ? strings.closeChat : strings.openChat}
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
    >
      <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false">
        {open ? (
          <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" fill="none" />
        ) : (
          <path
            d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z"
            fill="currentColor"
          />
        )}
      </svg>
    </button>
  );
}
