/**
 * `GET /i18n/{lang}.json`: the widget's UI strings in one language (protocol/ui-strings.ts), which
 * widgets whose `lang` is not English fetch from any host page (docs/protocol.md).
 */
import type { ServerResponse } from 'node:http';
import { uiTranslation } from '../../protocol';
import { HttpError, writeJson } from './errors';

/** The path of a table: a language tag of letters, digits and hyphens. */
export const I18N_PATH = /^\/i18n\/([A-Za-z0-9-]{1,64})\.json$/;

/** Writes the table for `lang` (exact tag, else its base language); 404 for a language without one. */
export function sendUiStrings(res: ServerResponse, lang: string): void {
  const table = uiTranslation(lang);
  if (!table) throw new HttpError('not_found', `no UI strings for language "${lang}"`);
  writeJson(res, 200, table, {
    // Public, and fetched by widgets on every host page's origin.
    'Access-Control-Allow-Origin': '*',
    // The tables change only with a server release.
    'Cache-Control': 'public, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
  });
}
