/**
 * Theme keys become CSS custom properties on the shadow host: `primary` → `--rd-primary`,
 * `headerBg` (or `header-bg`) → `--rd-header-bg`. Custom properties inherit through the shadow
 * boundary and survive `:host { all: initial }`, so styles.css reads them with fallbacks.
 *
 * Keys styles.css uses (ServisBOT's endpoint styles: header, roundel, inbound = bot and
 * outbound = visitor messages): primary, onPrimary, accent, headerBg, headerText, roundelBg,
 * roundelText, botBg, botText, visitorBg, visitorText, background, text, font, radius.
 * `background`, `text`, `botBg` and `accent` have dark defaults under `prefers-color-scheme: dark`;
 * a theme that sets one of them sets it for both schemes.
 */

/** The custom property for a theme key, or `undefined` for a key that is not a plain identifier. */
export function themeProperty(key: string): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(key)) return undefined;
  return `--rd-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Returns a function that sets a theme's properties on `host`, removing those of the previous theme. */
export function themeApplier(host: HTMLElement): (theme: Readonly<Record<string, string>>) => void {
  let last: Readonly<Record<string, string>> | undefined;
  let applied: string[] = [];
  return (theme) => {
    if (theme === last) return;
    last = theme;
    for (const name of applied) host.style.removeProperty(name);
    applied = [];
    for (const [key, value] of Object.entries(theme)) {
      const name = themeProperty(key);
      if (name === undefined) continue;
      host.style.setProperty(name, value);
      applied.push(name);
    }
  };
}
