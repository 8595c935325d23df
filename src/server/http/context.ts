/** What the router knows about one HTTP request and hands to every route: its id, logger and route. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';

export interface RequestContext {
  /** The caller's `X-Request-Id` when it is sane, else a generated UUID; echoed in the response. */
  readonly requestId: string;
  /** Logs with `requestId` on every line. */
  readonly log: Logger;
  /**
   * The matched route as a template (`/api/v1/pushbacks/{id}`), for logs and metrics. Never the
   * raw path: a pushback id in a path is a capability, and paths would make metrics unbounded.
   */
  route: string;
  /** The endpoint whose API key authorized the request (management API). */
  endpoint?: string;
}

/** A route below the router: gets the parsed URL and the context; throws HttpError to answer an error. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, ctx: RequestContext) => Promise<void>;

/** Header carrying the request id, both ways. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * An id a proxy or client may pass along: 1-128 characters of letters, digits and `._:-`,
 * starting with a letter or digit. Anything else could forge log lines or bloat them.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The request id to use for a request with this `X-Request-Id` header value. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}
