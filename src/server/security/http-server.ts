/**
 * Hardening of the Node HTTP server itself: time limits against slow-loris clients, and
 * requests Node's parser refuses (malformed request line, headers over 16 KiB, a timeout)
 * answered with the contract's JSON error body instead of Node's bare status line.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorType } from '../../protocol';

/** Time to receive a request's headers. Node's default is 60 s. */
export const HEADERS_TIMEOUT_MS = 20_000;
/** Time to receive a whole request (1 MiB bodies at a slow 35 KB/s). Node's default is 300 s. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Status, type and message for a parser error code (the same statuses Node uses). */
function describe(code: string | undefined): [number, ErrorType, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'validation', 'request headers are too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'request_timeout', 'the request took too long'];
  return [400, 'validation', 'malformed HTTP request'];
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Applies the time limits and the `clientError` answer to `server`. */
export function hardenHttpServer(server: Server): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own handler: answer unless a response on this socket has started already.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, type, message] = describe(error.code);
    const body = JSON.stringify({ error: { type, message } });
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}
