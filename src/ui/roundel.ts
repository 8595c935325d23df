/**
 * The floating launcher (README.md, "The widget"), in plain DOM: it is in the first load, before Preact.
 * Its name is "Open chat" / "Close chat"; the unread count is its description. The badge sits
 * beside the button, not in it: text inside the button would be part of its visible label, which
 * must match its name (WCAG 2.5.3).
 */
import type { UiStrings } from './strings';

type RoundelStrings = Pick<UiStrings, 'openChat' | 'closeChat' | 'unread'>;

const UNREAD_ID = 'rd-unread';
/** The id of the panel the roundel shows and hides (Panel.tsx). */
export const PANEL_ID = 'rd-panel';

export interface RoundelView {
  element: HTMLElement;
  button: HTMLButtonElement;
  /** Shows the state; `controls`: whether the panel is in the DOM for `aria-controls` to name. */
  update(open: boolean, unread: number, strings: RoundelStrings, controls: boolean): void;
}

/** Sets (or, for `undefined`, removes) attributes of `el`. */
function attrs(el: Element, values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) el.removeAttribute(name);
    else el.setAttribute(name, value);
  }
}

export function createRoundel(doc: Document, onClick: () => void): RoundelView {
  const make = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string) => Object.assign(doc.createElement(tag), { className });
  const element = make('div', 'rd-launch');
  const button = make('button', 'rd-roundel');
  button.type = 'button';
  button.onclick = onClick;
  const svg = 'http://www.w3.org/2000/svg';
  const icon = doc.createElementNS(svg, 'svg');
  attrs(icon, { viewBox: '0 0 24 24', width: '26', height: '26', 'aria-hidden': 'true', fill: 'currentColor', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linejoin': 'round' });
  const path = doc.createElementNS(svg, 'path');
  icon.append(path);
  button.append(icon);
  element.append(button);
  const badge = make('span', 'rd-badge');
  badge.setAttribute('aria-hidden', 'true');
  const description = make('span', '');
  description.id = UNREAD_ID;
  description.hidden = true;

  return {
    element,
    button,
    update(open, unread, strings, controls) {
      const shown = !open && unread > 0;
      attrs(button, {
        'aria-label': open ? strings.closeChat : strings.openChat,
        'aria-expanded': String(open),
        'aria-controls': controls ? PANEL_ID : undefined,
        'aria-describedby': shown ? UNREAD_ID : undefined,
      });
      path.setAttribute('d', open ? 'M6 6l12 12M18 6 6 18' : 'M5 5h14v10H9l-4 4z');
      badge.textContent = unread > 99 ? '99+' : String(unread);
      description.textContent = `${strings.unread} ${unread}`;
      if (shown) element.append(badge, description);
      else {
        badge.remove();
        description.remove();
      }
    },
  };
}
