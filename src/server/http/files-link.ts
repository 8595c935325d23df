/**
 * `POST /files/{id}/link?organization=&endpoint=` (docs/http-api.md, "Visitor files"): a freshly
 * signed URL of a file of the visitor's own chat. Pushes and the login's history carry links
 * signed for 24 hours; a widget whose page stays open longer asks here when one stops working.
 * The session token proves the chat and the page's origin is checked, as for the upload (whose
 * preflight grants `POST` with `Authorization` to the same pages).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { forbidden, grantOrigin, queryEndpoint, visitorChat } from './files-access';
import { HttpError, writeJson } from './errors';

/** The path of a file's link: `/files/{id}/link`. */
export const FILE_LINK_PATH = /^\/files\/([^/]{1,100})\/link$/;

/** Answers `{ url }`: a new signed URL of file `id`, to the visitor of the chat it was sent in. */
export async function sendFileLink(app: App, req: IncomingMessage, res: ServerResponse, url: URL, id: string): Promise<void> {
  const endpoint = queryEndpoint(app, url);
  grantOrigin(app, endpoint, req, res);
  const chat = await visitorChat(app, req);
  if (chat.endpoint !== endpoint.endpoint || chat.organization !== endpoint.organization) {
    throw forbidden('the session token belongs to another endpoint');
  }
  // The store reads the bytes too; links are asked for rarely (once a day per file shown at most).
  const file = await app.store.files.get(id);
  if (!file) throw new HttpError('not_found', 'no such file');
  if (file.chatId !== chat.id) throw forbidden('this file belongs to another chat');
  writeJson(res, 200, { url: app.fileUrls.url(app.publicUrl(), id) }, { 'Cache-Control': 'no-store' });
}
