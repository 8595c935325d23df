/**
 * The visitor file routes (docs/http-api.md, "Visitor files"): `/files` (upload), `/files/{id}`
 * (download) and `/files/{id}/link` (a fresh signed URL).
 */
import type { App } from '../app';
import type { RouteHandler } from './context';
import { HttpError, allowMethods } from './errors';
import { FILE_PATH, sendFile } from './files-download';
import { FILE_LINK_PATH, sendFileLink } from './files-link';
import { createUpload, uploadPreflight, type UploadOptions } from './files-upload';

/** Routes every path below `/files`. */
export function createFileRoutes(app: App, options: UploadOptions): RouteHandler {
  const upload = createUpload(app, options);
  return async (req, res, url, ctx) => {
    const path = url.pathname;
    if (path === '/files') {
      ctx.route = '/files';
      const method = allowMethods(req.method, ['POST', 'OPTIONS']);
      if (method === 'OPTIONS') return uploadPreflight(app, req, res, url);
      return upload(req, res, url, ctx);
    }
    const link = FILE_LINK_PATH.exec(path);
    if (link) {
      ctx.route = '/files/{id}/link';
      const method = allowMethods(req.method, ['POST', 'OPTIONS']);
      if (method === 'OPTIONS') return uploadPreflight(app, req, res, url);
      const id = decoded(link[1] as string);
      if (id === undefined) throw new HttpError('not_found', 'no such file');
      return sendFileLink(app, req, res, url, id);
    }
    ctx.route = '/files/{id}';
    allowMethods(req.method, ['GET', 'HEAD']);
    const id = fileId(path);
    if (id === undefined) throw new HttpError('not_found', 'no such file');
    return sendFile(app, req, res, url, id);
  };
}

/** The id in `/files/{id}`, or undefined for another path (or a malformed escape). */
function fileId(path: string): string | undefined {
  const raw = FILE_PATH.exec(path)?.[1];
  return raw === undefined ? undefined : decoded(raw);
}

/** `raw` unescaped, or undefined for a malformed escape. */
function decoded(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
