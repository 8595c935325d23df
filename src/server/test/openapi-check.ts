/**
 * Holds the server to docs/openapi.json: {@link checkResponse} says how one answer departs from
 * the document (a path or method it does not list, a status it does not list for that operation,
 * a body outside the response schema), and {@link recordResponses} applies it to every response
 * a test server writes. The harness (./harness.ts) installs the recorder, so every HTTP
 * integration test, and the docs/http-api.md replay, validates what it receives.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const OPENAPI_FILE = new URL('../../../docs/openapi.json', import.meta.url);

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, Json>;
}

/** The document, parsed once. */
export const openapi: Json & { paths: Record<string, Record<string, unknown>> } = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Path templates as regular expressions, literal paths first (`/healthz` before `/{file}`). */
const templates = Object.keys(openapi.paths)
  .map((path) => ({
    path,
    params: (path.match(/\{[^}]+\}/g) ?? []).length,
    pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => a.params - b.params || b.path.length - a.path.length);

/** The documented path template `path` falls under, if any. */
export function documentedPath(path: string): string | undefined {
  return templates.find((t) => t.pattern.test(path))?.path;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openapi, 'openapi');
const validators = new Map<string, ValidateFunction>();

const escape = (part: string) => part.replaceAll('~', '~0').replaceAll('/', '~1');

/** Follows a local `$ref` (`#/components/...`), returning the target and its JSON pointer. */
function resolve(node: Json, pointer: string): { node: Json; pointer: string } {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return { node, pointer };
  let target: unknown = openapi;
  for (const part of ref.slice(2).split('/')) target = (target as Json)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  return resolve(target as Json, ref.slice(1));
}

function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

/** One answer as the server wrote it. */
export interface Exchange {
  method: string;
  /** Path without the query. */
  path: string;
  status: number;
  contentType: string | undefined;
  /** The body as text ('' when none). */
  body: string;
  /** The request's `Origin` header, when it sent one (a browser page). */
  origin?: string;
}

const ADD_ROUTE = 'add it to docs/openapi.json (paths, every status it answers, the JSON error schema for errors; then `npx redocly lint docs/openapi.json`)';

/**
 * Refusals any request may get whatever its path and method, answered before routing: a
 * malformed request (400), a body, URL or headers over the limits (413, 414, 431), a client over
 * its rate (429).
 */
const EDGE_REFUSALS: ReadonlySet<number> = new Set([400, 413, 414, 429, 431]);

/**
 * The management API refuses a browser page of another origin (403) before routing, whatever the
 * path and method, CORS preflights included (docs/openapi.json's `info.description`).
 */
const refusedBrowser = (exchange: Exchange) =>
  exchange.status === 403 && exchange.origin !== undefined && (exchange.path === '/api/v1' || exchange.path.startsWith('/api/v1/'));

/**
 * How `exchange` departs from docs/openapi.json; empty when it conforms. A path the document does
 * not list, or a method it does not list for a path (HEAD included: it is documented where it
 * is served, not implied by GET), may only be refused as not found (404) or with a method not
 * allowed (405), with the JSON error body; or with one of the {@link EDGE_REFUSALS} or as a
 * browser page of another origin ({@link refusedBrowser}): fuzzers send anything, and the server
 * turns it away before routing.
 * Anything else (a success, a 401, a 403) answers a route the document is missing. CORS
 * preflights (OPTIONS → 204) are answered before routing, too.
 */
export function checkResponse(exchange: Exchange): string[] {
  const { method, status } = exchange;
  const path = exchange.path.length > 100 ? `${exchange.path.slice(0, 100)}…` : exchange.path;
  const name = `${method} ${path} → ${status}`;
  const template = documentedPath(exchange.path);
  const refusal = (allowed: readonly number[]) =>
    allowed.includes(status) || EDGE_REFUSALS.has(status) || refusedBrowser(exchange) ? checkBody(name, exchange, '/components/schemas/Error') : undefined;
  const preflight = method === 'OPTIONS' && status === 204;
  if (template === undefined) {
    return refusal([404, 405]) ?? (preflight ? [] : [`${name}: the path is not in docs/openapi.json: ${ADD_ROUTE}`]);
  }
  const item = openapi.paths[template] as Record<string, unknown>;
  const key = method.toLowerCase();
  const operation = item[key] as Operation | undefined;
  const base = `/paths/${escape(template)}/${key}`;
  if (!operation || !METHODS.includes(key)) {
    return refusal([404, 405]) ?? (preflight ? [] : [`${name}: ${method} ${template} is not in docs/openapi.json: ${ADD_ROUTE}`]);
  }
  const code = [String(status), `${String(status)[0]}XX`, 'default'].find((c) => operation.responses[c] !== undefined);
  if (code === undefined) {
    return [`${name}: status ${status} is not documented for ${method} ${template} in docs/openapi.json: add it under responses (errors: "$ref": "#/components/responses/...")`];
  }
  const response = resolve(operation.responses[code] as Json, `${base}/responses/${code}`);
  const content = response.node.content as Record<string, Json> | undefined;
  if (!content) {
    return exchange.body === '' || key === 'head' ? [] : [`${name}: docs/openapi.json documents no body, but one was sent (${exchange.contentType})`];
  }
  const type = (exchange.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const media = Object.keys(content).find((m) => m === type || m === '*/*' || (m.endsWith('/*') && type.startsWith(m.slice(0, -1))));
  if (media === undefined) return [`${name}: content type ${type || '(none)'} is not documented (expected ${Object.keys(content).join(', ')})`];
  if (key === 'head' || media !== 'application/json') return [];
  return checkBody(name, exchange, `${response.pointer}/content/${escape(media)}/schema`);
}

function checkBody(name: string, exchange: Exchange, pointer: string): string[] {
  if (exchange.method === 'HEAD') return [];
  let value: unknown;
  try {
    value = JSON.parse(exchange.body);
  } catch {
    return [`${name}: the body is not JSON: ${exchange.body.slice(0, 120)}`];
  }
  const validate = validatorAt(pointer);
  if (validate(value)) return [];
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`).join('; ');
  return [`${name}: the body does not match docs/openapi.json#${pointer}: ${errors}; body ${exchange.body.slice(0, 300)}`];
}

const JSON_TYPE = /^application\/json/i;

/**
 * Records every response `server` writes and checks it against the document. `problems()`
 * lists the departures so far (the harness fails the test with them when it closes the server).
 */
export function recordResponses(server: Server): { problems(): string[] } {
  const problems: string[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown) => {
      const type = res.getHeader('content-type');
      if (chunk !== undefined && chunk !== null && typeof type === 'string' && JSON_TYPE.test(type)) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      }
    };
    // Headers given to writeHead are not visible through getHeader: copy them first.
    const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((r) => typeof r === 'object' && r !== null) as OutgoingHttpHeaders | undefined;
      for (const [header, value] of Object.entries(headers ?? {})) if (value !== undefined) res.setHeader(header, value);
      return writeHead(status, ...rest.filter((r) => typeof r !== 'object'));
    }) as typeof res.writeHead;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') keep(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.once('finish', () => {
      const raw = req.url ?? '/';
      let path = raw.split('?')[0] ?? raw;
      try {
        path = new URL(`http://localhost${raw.startsWith('/') ? raw : `/${raw}`}`).pathname;
      } catch {
        // a malformed request line: check the raw path
      }
      const contentType = res.getHeader('content-type');
      const { origin } = req.headers;
      problems.push(
        ...checkResponse({
          method: req.method ?? 'GET',
          path,
          status: res.statusCode,
          contentType: typeof contentType === 'string' ? contentType : undefined,
          body: Buffer.concat(chunks).toString('utf8'),
          ...(origin === undefined ? {} : { origin }),
        }),
      );
    });
  });
  // Distinct problems, a screenful at most: a fuzzer repeats the same departure many times.
  return { problems: () => [...new Set(problems)].slice(0, 20) };
}
