/**
 * Serving the widget bundle and the demo directory: fixed content types, no path traversal. The
 * widget's scripts and source maps (`sendAsset`) go out precompressed (br / gzip files written at
 * build time, vite.config.ts) with an ETag, and content-hashed chunks are cached for a year.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
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

/** Precompressed copies beside a file, best first: the file name suffix and its `Content-Encoding`. */
const ENCODINGS = [
  { suffix: '.br', coding: 'br' },
  { suffix: '.gz', coding: 'gzip' },
] as const;

/** A year: what a file whose name changes with its content may be cached for. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The codings an `Accept-Encoding` header allows (q > 0), lower-cased. A coding refused with
 * `q=0` is left out; `*` allows the rest.
 */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [raw = '', ...params] = part.toLowerCase().split(';');
    const name = raw.trim();
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name);
  }
  if (accepted.has('*')) for (const { coding } of ENCODINGS) accepted.add(coding);
  return accepted;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 asks for it). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}

/** Content hashes by file, keyed by size and mtime: a rebuilt file gets a new ETag. */
const hashes = new Map<string, { key: string; hash: Promise<string> }>();
function contentHash(file: string, size: number, mtimeMs: number): Promise<string> {
  const key = `${size}:${mtimeMs}`;
  const known = hashes.get(file);
  if (known?.key === key) return known.hash;
  const hash = readFile(file).then((bytes) => createHash('sha256').update(bytes).digest('base64url').slice(0, 22));
  hashes.set(file, { key, hash });
  hash.catch(() => hashes.delete(file));
  return hash;
}

/**
 * Sends a script or source map of the widget: the precompressed copy the client accepts (br,
 * else gzip, else the file itself), `Vary: Accept-Encoding`, an ETag per variant (304 for a
 * matching `If-None-Match`), and `Cache-Control` for a year when `immutable` (a content-hashed
 * chunk), else revalidation every time (messenger.js keeps its name across releases). CORS is
 * open: the widget imports its chunks as modules from any host page's origin.
 */
export async function sendAsset(req: IncomingMessage, res: ServerResponse, file: string, immutable: boolean, notFound: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info || !info.isFile()) throw new HttpError('not_found', notFound);
  const accepted = acceptedEncodings(req.headers['accept-encoding']);
  let body = file;
  let size = info.size;
  let coding: string | undefined;
  for (const variant of ENCODINGS) {
    if (!accepted.has(variant.coding)) continue;
    const compressed = await stat(file + variant.suffix).catch(() => undefined);
    // A copy older than the file is stale (a partial rebuild): the file itself then.
    if (compressed?.isFile() && compressed.mtimeMs >= info.mtimeMs) {
      body = file + variant.suffix;
      size = compressed.size;
      coding = variant.coding;
      break;
    }
  }
  const etag = `"${await contentHash(file, info.size, info.mtimeMs)}${coding ? `-${coding}` : ''}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': immutable ? IMMUTABLE : 'no-cache',
    ETag: etag,
    Vary: 'Accept-Encoding',
    'Last-Modified': info.mtime.toUTCString(),
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
  };
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': size, ...(coding ? { 'Content-Encoding': coding } : {}) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeFile(res, body);
}

function pipeFile(res: ServerResponse, file: string): Promise<void> {
  return new Promise<void>((done, fail) => {
    const stream = createReadStream(file);
    stream.on('error', fail);
    res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}

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
  await pipeFile(res, file);
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
