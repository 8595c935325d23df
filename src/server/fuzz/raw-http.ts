/**
 * A raw HTTP/1.1 exchange over a TCP socket: the request bytes go out verbatim (odd methods,
 * `..` in paths, invalid headers, garbage) and everything the server writes until it closes is
 * returned. `fetch` and `http.request` would normalise or refuse most
 * of what the fuzzers need to send.
 */
import { connect } from 'node:net';

export interface RawResponse {
  /** Status of the first response; 0 when the server closed without answering. */
  status: number;
  /** Lower-cased header names of the first response. */
  headers: Record<string, string>;
  body: string;
  /** Every status line in what came back (pipelined requests get several). */
  statuses: number[];
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: string | Buffer;
}

/** Serialises a request; `Host`, `Content-Length` and `Connection: close` are added unless given. */
export function formatRequest(port: number, request: RawRequest): Buffer {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const headers = [...request.headers];
  if (!names.has('host')) headers.unshift(['Host', `127.0.0.1:${port}`]);
  if (!names.has('content-length') && !names.has('transfer-encoding') && body.length > 0) {
    headers.push(['Content-Length', String(body.length)]);
  }
  if (!names.has('connection')) headers.push(['Connection', 'close']);
  const head = `${request.method} ${request.path} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Parses what the server wrote. */
export function parseResponse(data: Buffer): RawResponse {
  const text = data.toString('latin1');
  const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  let body = split < 0 ? '' : data.subarray(Buffer.byteLength(text.slice(0, split + 4), 'latin1')).toString('utf8');
  const length = Number(headers['content-length']);
  if (Number.isInteger(length)) body = Buffer.from(body).subarray(0, length).toString('utf8');
  return { status, headers, body, statuses };
}

/**
 * Sends `bytes` to 127.0.0.1:`port` and resolves with what came back once the server closed.
 * With `halfClose` the socket is ended after writing, so an incomplete request meets EOF at once
 * instead of the server's header timeout (Node then drops a request still in flight, which is
 * why complete requests are sent without it).
 */
export function rawExchange(port: number, bytes: Buffer, halfClose: boolean, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the server answered (it closed with unread request bytes) is still an answer.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    });
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}
