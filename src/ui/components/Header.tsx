import { h } from 'preact';
interface HeaderProps {
  /** Absent with `displayHeader: false`: the header then holds only the close button. */
  title?: string;
  subtitle?: string;
  /** The close button's name ("Close chat"), or absent when the panel cannot be closed (`alwaysOpen`, `container`). */
  closeLabel?: string;
  onClose(): void;
}

/**
 * Title, subtitle, and a "Close chat" button that panel.css shows only where the roundel cannot
 * close the panel (README.md, "The widget"): `displayRoundel: false`, or a phone, where the open panel
 * covers the roundel. Elsewhere it is `display: none`, so out of the accessibility tree: one
 * "Close chat" at a time.
 */
export function Header({ title, subtitle, closeLabel, onClose }: HeaderProps) {
  return (
    <header class="rd-header">
      <div class="rd-heading">
        {title === undefined ? null : <div class="rd-title">{title}</div>}
        {subtitle ? <div class="rd-subtitle">{subtitle}</div> : null}
      </div>
      {closeLabel ? (
        <button type="button" class="rd-close" aria-label={closeLabel} onClick={onClose}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" stroke="currentColor" stroke-width="2">
            <path d="M6 6l12 12M18 6 6 18" />
          </svg>
        </button>
      ) : null}
    </header>
  );
}
