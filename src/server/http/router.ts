/** The HTTP request handler: routes by path and funnels every failure through {@link writeError}. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app';
import { errorFields } from '../logger';
import { HttpError, allowMethods, writeError, writeJson } from './errors';
import type { RouteHandler } from './pushgate';
import { sendFile, sendFromDir } from './static';

export interface RouterOptions {
  /** The built widget bundle served at `/messenger.js`. */
  widgetFile?: string;
  /** The demo host page directory served at `/`. */
  demoDir?: string;
  pushgate: RouteHandler;
  api: RouteHandler;
}

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
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = parseUrl(req.url);
    const path = url.pathname;
    if (path.startsWith('/pushgate/')) return options.pushgate(req, res, url);
    if (path === '/api/v1' || path.startsWith('/api/v1/')) return options.api(req, res, url);
    allowMethods(req.method, ['GET', 'HEAD']);
    if (path === '/healthz') return writeJson(res, 200, { status: 'ok' });
    if (path === '/metrics') {
      const text = app.metrics.render();
      res.writeHead(200, {
        'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      res.end(text); // Node drops the body of a HEAD response itself
      return;
    }
    if (path === '/messenger.js') {
      if (!options.widgetFile) throw new HttpError('not_found', 'the widget bundle is not configured');
      return sendFile(req, res, options.widgetFile, 'the widget bundle is not built (run npm run build)');
    }
    if (!options.demoDir) throw new HttpError('not_found', 'not found');
    return sendFromDir(req, res, options.demoDir, path);
  };

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!(error instanceof HttpError)) {
        app.logger.error('request failed', { method: req.method, path: req.url?.split('?')[0], ...errorFields(error) });
      }
      writeError(res, error);
    });
  };
}
