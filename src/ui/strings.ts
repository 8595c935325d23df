/**
 * The UI strings the components render (protocol/ui-strings.ts has the tables). The widget is
 * built with English; another language's table comes from the server (i18n.ts) into
 * `UiState.strings` and replaces it when it arrives.
 */
import { ENGLISH, type UiStrings } from '../protocol';

export { pickLanguage, type UiStrings } from '../protocol';

/** The strings to render before (or without) the table of `lang`: English, for every language. */
export function resolveStrings(_lang: string): UiStrings {
  return ENGLISH;
}
