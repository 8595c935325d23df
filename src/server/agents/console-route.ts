/**
 * The agent console's page (`GET /agent/`) and script (`GET /agent/console.js`, the built
 * `dist/console/console.js`). The page holds no data: everything comes over the agent websocket
 * after the agent logs in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { RouteHandler } from '../http/context';
import { HttpError, allowMethods } from '../http/errors';
import { sendFile } from '../http/static';

/** The page; `organization` names the organization whose agents log in here. */
export function consolePage(organization: string): string {
  const org = organization.replace(/[^A-Za-z0-9._-]/g, '');
  return `<!doctype html>
<html lang="en" data-organization="${org}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roundel agent console</title>
</head>
<body>
<div id="app"></div>
<script src="/agent/console.js"></script>
</body>
</html>
`;
}

/**
 * The console route. `defaultOrganization` is used when the URL names none
 * (`/agent/?organization=acme` picks another).
 */
export function createConsoleRoute(consoleDir: string | undefined, defaultOrganization: () => string): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    allowMethods(req.method, ['GET', 'HEAD']);
    if (url.pathname === '/agent') {
      res.writeHead(308, { Location: `/agent/${url.search}` }).end();
      return;
    }
    if (url.pathname === '/agent/') {
      const body = consolePage(url.searchParams.get('organization') ?? defaultOrganization());
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        // The console only talks to this server; nothing else may frame it or feed it scripts.
        'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        'Referrer-Policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (url.pathname === '/agent/console.js' || url.pathname === '/agent/console.js.map') {
      if (!consoleDir) throw new HttpError('not_found', 'the agent console is not configured');
      return sendFile(req, res, join(consoleDir, url.pathname.slice('/agent/'.length)), 'the agent console is not built (run npm run build)');
    }
    throw new HttpError('not_found', 'not found');
  };
}
