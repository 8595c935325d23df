/**
 * The checks `ws` makes on an upgrade request, made first by us so that a malformed handshake
 * gets the contract's JSON error like every other refusal (ws answers with plain text). Stricter
 * than ws in two ways: only version 13 (RFC 6455) is accepted, because version 8 clients send
 * `Sec-WebSocket-Origin` instead of `Origin` and would slip past the origin check; and no
 * subprotocol may be asked for, since the server speaks none.
 */
import type { IncomingMessage } from 'node:http';
import type { ErrorType } from '../../protocol';

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** What is wrong with the handshake as `[status, type, message]`, or undefined when nothing is. */
export function handshakeProblem(req: IncomingMessage): [number, ErrorType, string] | undefined {
  if (req.method !== 'GET') return [405, 'method_not_allowed', 'a websocket upgrade must be a GET'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return [400, 'validation', 'Upgrade must be websocket'];
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) return [400, 'validation', 'missing or invalid Sec-WebSocket-Key'];
  if (req.headers['sec-websocket-version'] !== '13') return [400, 'validation', 'Sec-WebSocket-Version must be 13'];
  if (req.headers['sec-websocket-protocol'] !== undefined) return [400, 'validation', 'no websocket subprotocol is offered'];
  return undefined;
}
