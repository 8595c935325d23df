// The floor of the server scenarios: the least a push backend can do. `GET /ws?id=N` holds
// socket N; `POST /push/N` forwards the request body to it as one text frame; `POST /broadcast`
// sends the body to every socket. No storage, no envelope, no bot. Listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const sockets = new Map();
const wss = new WebSocketServer({ noServer: true, clientTracking: false });

function readBody(req) {
  return new Promise((done, fail) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

const server = createServer(async (req, res) => {
  if (req.method !== 'POST') return res.writeHead(405).end();
  const body = await readBody(req);
  if (req.url === '/broadcast') {
    for (const ws of sockets.values()) ws.send(body, { binary: false });
    res.writeHead(202, { 'content-type': 'application/json' }).end(`{"matched":${sockets.size}}`);
    return;
  }
  const ws = sockets.get(req.url.slice('/push/'.length));
  if (!ws) return res.writeHead(404).end();
  ws.send(body, { binary: false });
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
});

server.on('upgrade', (req, socket, head) => {
  const id = new URL(req.url, 'http://localhost').searchParams.get('id') ?? '';
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.set(id, ws);
    ws.on('close', () => sockets.get(id) === ws && sockets.delete(id));
    ws.on('error', () => {});
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`floor listening on http://127.0.0.1:${server.address().port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
