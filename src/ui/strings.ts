/**
 * The UI strings the components render (protocol/ui-strings.ts has the tables). The widget is
 * built with English; another language's table comes from the server (i18n.ts) into
 * `UiState.strings` and replaces it when it arrives.
 */
/** English: what the widget renders before (or without) another language's table. */
export { ENGLISH, ROUNDEL_ENGLISH, pickLanguage, type UiStrings } from '../protocol';
