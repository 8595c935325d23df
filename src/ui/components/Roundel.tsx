import type { UiStrings } from '../strings';

interface RoundelProps {
  open: boolean;
  /** Bot messages not seen yet: a badge while closed. */
  unread: number;
  strings: UiStrings;
  /** The id of the panel this button shows and hides. */
  controls: string;
  onToggle(event: Event): void;
}

const UNREAD_ID = 'rd-unread';

/**
 * The floating launcher: the messenger's only open/close control (CONTRACT.md §3). Its name
 * stays "Open chat" / "Close chat"; the unread count is its description. The badge sits beside
 * the button, not in it: text inside the button would be part of its visible label, which must
 * match its name (WCAG 2.5.3).
 */
export function Roundel({ open, unread, strings, controls, onToggle }: RoundelProps) {
  const badge = !open && unread > 0;
  return (
    <div class="rd-launch">
      <button
        type="button"
        class="rd-roundel"
        aria-label={open ? strings.closeChat : strings.openChat}
        aria-expanded={open}
        aria-controls={controls}
        aria-describedby={badge ? UNREAD_ID : undefined}
        onClick={onToggle}
      >
        <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" fill="currentColor" stroke="currentColor" stroke-width="2" stroke-linejoin="round">
          <path d={open ? 'M6 6l12 12M18 6 6 18' : 'M5 5h14v10H9l-4 4z'} />
        </svg>
      </button>
      {badge ? (
        <span class="rd-badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
      {badge ? <span id={UNREAD_ID} hidden>{`${strings.unread} ${unread}`}</span> : null}
    </div>
  );
}
