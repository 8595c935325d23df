/**
 * The HTTP request handler: gives every request an id (echoed as `X-Request-Id` and put on every
 * log line of the request), routes by path, funnels every failure through {@link writeError}, and
 * writes one access log line and the request metrics when the response is done.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { childLogger, errorFields } from '../logger';
import { REQUEST_ID_HEADER, requestIdFrom, type RequestContext, type RouteHandler } from './context';
import { HttpError, allowMethods, writeError, writeJson } from './errors';
import { I18N_PATH, sendUiStrings } from './i18n';
import { dirname, join } from 'node:path';
import { sendOpenApi } from './openapi';
import { resolveInside, sendAsset, sendFromDir } from './static';

export interface RouterOptions {
  /**
   * The built widget bundle served at `/messenger.js` (and its source map beside it); its lazy
   * chunks are in the `widget/` directory next to it, served at `/widget/…`.
   */
  widgetFile?: string;
  /** The demo host page directory served at `/`. */
  demoDir?: string;
  pushgate: RouteHandler;
  api: RouteHandler;
  /** The agent console at `/agent/` (docs/agent-api.md). */
  console?: RouteHandler;
  /** Visitor files at `/files` and `/files/{id}` (docs/http-api.md). */
  files?: RouteHandler;
}

/** A widget chunk or its map: `/widget/panel-<content hash>.js[.map]` (vite.config.ts names them). */
const CHUNK_PATH = /^\/widget\/[A-Za-z0-9_-]+\.js(?:\.map)?$/;

/** Routes polled by machines: their access lines are `debug`, not `info`, so they do not drown the log. */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/metrics']);

function parseUrl(raw: string | undefined): URL {
  const path = raw ?? '/';
  try {
    // Always relative to a fixed base: a request line like `//evil.example/x` must stay a path.
    return new URL(`http://localhost${path.startsWith('/') ? path : `/${path}`}`);
  } catch {
    throw new HttpError('validation', 'malformed request URL');
  }
}

/** The `request` listener of the http server. */
export function createRequestHandler(app: App, options: RouterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> => {
    const url = parseUrl(req.url);
    const path = url.pathname;
    if (path.startsWith('/pushgate/')) return options.pushgate(req, res, url, ctx);
    if (path === '/api/v1' || path.startsWith('/api/v1/')) return options.api(req, res, url, ctx);
    if (options.files && (path === '/files' || path.startsWith('/files/'))) return options.files(req, res, url, ctx);
    if (options.console && (path === '/agent' || path.startsWith('/agent/'))) {
      ctx.route = '/agent/';
      return options.console(req, res, url, ctx);
    }
    ctx.route = path === '/healthz' || path === '/metrics' || path === '/messenger.js' || path === '/messenger.js.map' || path === '/openapi.json' ? path : 'static';
    allowMethods(req.method, ['GET', 'HEAD']);
    const lang = I18N_PATH.exec(path)?.[1];
    if (lang !== undefined) {
      ctx.route = '/i18n/{lang}.json';
      return sendUiStrings(res, lang);
    }
    if (path === '/healthz') {
      // A balancer takes a node whose database is gone out of rotation (CONTRACT: 503).
      const healthy = await app.healthy();
      return writeJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'unavailable', node: app.nodeId });
    }
    if (path === '/openapi.json') return sendOpenApi(res, app.publicUrl());
    if (path === '/metrics') {
      const text = await app.metrics.render();
      res.writeHead(200, {
        'Content-Type': app.metrics.contentType,
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      res.end(text); // Node drops the body of a HEAD response itself
      return;
    }
    if (path === '/messenger.js' || path === '/messenger.js.map') {
      if (!options.widgetFile) throw new HttpError('not_found', 'the widget bundle is not configured');
      const file = path === '/messenger.js' ? options.widgetFile : `${options.widgetFile}.map`;
      return sendAsset(req, res, file, false, 'the widget bundle is not built (run npm run build)');
    }
    if (CHUNK_PATH.test(path) && options.widgetFile) {
      ctx.route = '/widget/{chunk}';
      const file = resolveInside(join(dirname(options.widgetFile), 'widget'), path.slice('/widget'.length));
      if (!file) throw new HttpError('not_found', 'not found');
      // Chunk names carry a hash of their content: a new build is a new name.
      return sendAsset(req, res, file, true, 'no such widget chunk');
    }
    if (!options.demoDir) throw new HttpError('not_found', 'not found');
    return sendFromDir(req, res, options.demoDir, path);
  };

  /** One access line and the request metrics, once the response is finished or the client went away. */
  const done = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, started: bigint): void => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const status = res.statusCode;
    app.metrics.httpRequests.inc({ route: ctx.route, status: String(status) });
    app.metrics.httpSeconds.observe(seconds, { route: ctx.route });
    const fields = {
      method: req.method,
      route: ctx.route,
      // Static paths name files and are safe to log; every other path may hold a capability.
      ...(ctx.route === 'static' ? { path: parseUrl(req.url).pathname } : {}),
      ...(ctx.endpoint === undefined ? {} : { endpoint: ctx.endpoint }),
      status,
      durationMs: Math.round(seconds * 1e4) / 10,
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    if (QUIET_ROUTES.has(ctx.route)) ctx.log.debug('http request', fields);
    else ctx.log.info('http request', fields);
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER.toLowerCase()]);
    const ctx: RequestContext = { requestId, log: childLogger(app.logger, { requestId }), route: 'unmatched' };
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.once('close', () => done(req, res, ctx, started));
    route(req, res, ctx).catch((error: unknown) => {
      if (!(error instanceof HttpError)) ctx.log.error('request failed', { method: req.method, route: ctx.route, ...errorFields(error) });
      writeError(res, error);
    });
  };
}
