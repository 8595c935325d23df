/** Serving the widget bundle and the demo directory: fixed content types, no path traversal. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { HttpError } from './errors';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Streams one file; 404 when it is missing or not a regular file. */
export async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, notFound: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info || !info.isFile()) throw new HttpError('not_found', notFound);
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    // Revalidate every time: a rebuilt bundle must reach pages at once.
    'Cache-Control': 'no-cache',
    'Last-Modified': info.mtime.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(file);
    stream.on('error', fail);
    res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}

/**
 * Maps a URL path onto a file inside `root` (`/` and directories give their `index.html`).
 * Undefined for anything that would leave `root`: `..`, encoded separators, NUL bytes, dot files.
 */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  const base = resolve(root);
  const file = resolve(base, ...segments);
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  return path.endsWith('/') || segments.length === 0 ? resolve(file, 'index.html') : file;
}

/** Serves `urlPath` from `root`; a directory without a trailing slash serves its index.html too. */
export async function sendFromDir(req: IncomingMessage, res: ServerResponse, root: string, urlPath: string): Promise<void> {
  const file = resolveInside(root, urlPath);
  if (!file) throw new HttpError('not_found', 'not found');
  const info = await stat(file).catch(() => undefined);
  await sendFile(req, res, info?.isDirectory() ? resolve(file, 'index.html') : file, 'not found');
}
