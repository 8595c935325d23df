/**
 * Reading an upload's body with a hard limit. Past the limit nothing more is kept: the caller
 * answers 413 at once, and {@link lingerThenClose} lets the client see that answer instead of a
 * reset. A body declared larger than the limit is refused before a byte of it is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http/errors';

/** The 413 of an upload over `limit` bytes; `Connection: close` drops whatever the client still sends. */
export function tooLarge(limit: number): HttpError {
  return new HttpError('entity_too_large', `a file may be at most ${limit} bytes (${limit / (1024 * 1024)} MiB)`, { Connection: 'close' });
}

/**
 * Reads the body into one buffer. Rejects with a 413 {@link HttpError} when `Content-Length`
 * says more than `limit` (nothing read) or as soon as more than `limit` bytes arrived (what was
 * read is dropped and the request is paused); with a 400 when the client went away mid-body.
 */
export function readUpload(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (req.headers['content-length'] !== undefined && Number.isFinite(declared) && declared > limit) {
    req.pause();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('aborted', onGone);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks = [];
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onGone = () => {
      cleanup();
      chunks = [];
      reject(new HttpError('validation', 'the upload was interrupted'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('aborted', onGone);
  });
}

/** How long a refused upload's rest is drained (and thrown away) so that the client reads the 413. */
const LINGER_MS = 2_000;

/**
 * After an early answer (the 413): drains the rest of the body without keeping it, for at most
 * {@link LINGER_MS}, then closes the connection. Closing at once would make the kernel answer the
 * client's unread bytes with a reset, and most clients then lose the response (nginx's "lingering
 * close" does the same).
 */
export function lingerThenClose(req: IncomingMessage, res: ServerResponse): void {
  const close = () => req.socket.destroy();
  res.once('finish', () => {
    if (req.complete) return;
    const timer = setTimeout(close, LINGER_MS);
    timer.unref();
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
}
