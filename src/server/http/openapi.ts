/**
 * `GET /openapi.json`: docs/openapi.json, the OpenAPI 3.1 description of every HTTP route, with
 * `servers` pointing at this server's public URL so tools (Swagger UI, fuzzers, client
 * generators) call the server they fetched it from.
 */
import type { ServerResponse } from 'node:http';
import document from '../../../docs/openapi.json';
import { writeJson } from './errors';

let cached: { url: string; body: unknown } | undefined;

/** The document as served by a server whose public URL is `publicUrl`. */
export function servedOpenApi(publicUrl: string): unknown {
  if (cached?.url !== publicUrl) {
    cached = { url: publicUrl, body: { ...document, servers: [{ url: publicUrl, description: 'this server' }] } };
  }
  return cached.body;
}

/** Writes the document; public, like the routes it describes. */
export function sendOpenApi(res: ServerResponse, publicUrl: string): void {
  writeJson(res, 200, servedOpenApi(publicUrl), { 'Access-Control-Allow-Origin': '*' });
}
