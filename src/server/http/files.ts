/** The visitor file routes (docs/http-api.md, "Visitor files"): `/files` (upload) and `/files/{id}` (download). */
import type { App } from '../app';
import type { RouteHandler } from './context';
import { HttpError, allowMethods } from './errors';
import { FILE_PATH, sendFile } from './files-download';
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
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
