/**
 * The one error type HTTP routes throw, and the one place that turns errors into responses:
 * `{"error": {"type", "message"}}` with the matching status, never a stack trace.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorType } from '../../protocol';
import { StoreUnavailableError } from '../store/errors';

const STATUS: Record<ErrorType, number> = {
  validation: 400,
  authentication: 401,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  entity_too_large: 413,
  too_many_requests: 429,
  internal: 500,
};

/** An error answered as `{error: {type, message}}` with `status`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  /**
   * @param status defaults to the status of `type` (e.g. 404 for `not_found`)
   * @param headers extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`)
   */
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly status: number = STATUS[type],
  ) {
    super(message);
  }
}

/** Throws 405 unless the method is one of `allowed`. */
export function allowMethods(method: string | undefined, allowed: readonly string[]): string {
  const m = method ?? 'GET';
  if (!allowed.includes(m)) {
    throw new HttpError('method_not_allowed', `method ${m} is not allowed here`, { Allow: allowed.join(', ') });
  }
  return m;
}

/** Writes a JSON body with `Cache-Control: no-store`. */
export function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Writes `error` as the JSON error body. An unreachable database is a 503 (retry; nothing was
 * stored); anything else that is not an HttpError is a 500 `internal`.
 */
export function writeError(res: ServerResponse, error: unknown): void {
  const known =
    error instanceof HttpError
      ? error
      : error instanceof StoreUnavailableError
        ? new HttpError('internal', 'the database is unreachable; retry later', { 'Retry-After': '5' }, 503)
        : new HttpError('internal', 'internal server error');
  if (res.headersSent) {
    // Too late for a status: cut the response so the client sees it failed.
    res.destroy();
    return;
  }
  writeJson(res, known.status, { error: { type: known.type, message: known.message } }, known.headers);
}
