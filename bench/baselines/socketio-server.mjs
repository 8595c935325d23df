// The peer of the server scenarios: the same forwarder as floor-server.mjs on Socket.IO, the
// library most Node chat backends start from. A client joins room N (handshake query `room`);
// `POST /push/N` is `io.to(N).emit('push', body)`; `POST /broadcast` is `io.emit('push', body)`.
// socket.io comes from bench/peers (installed by the bench). Listens on 127.0.0.1 only.
// With REDIS_URL it is one node of the cluster scenario: processes joined by
// @socket.io/redis-streams-adapter (Socket.IO's own answer to "several nodes", over Redis Streams,
// like Roundel over Redis), so `POST /push/N` on any node reaches room N's sockets on every node.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../peers/package.json', import.meta.url));
const { Server } = require('socket.io');

/** The Redis adapter and its connection when REDIS_URL is set. */
function clusterAdapter(url) {
  if (!url) return {};
  const { createAdapter } = require('@socket.io/redis-streams-adapter');
  // ioredis: Roundel's own dependency (found from bench/peers up the tree), as the adapter supports.
  const { Redis } = require('ioredis');
  const redis = new Redis(url);
  return { adapter: createAdapter(redis), redis };
}
const { adapter, redis } = clusterAdapter(process.env.REDIS_URL);

function readBody(req) {
  return new Promise((done, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => done(body));
    req.on('error', fail);
  });
}

const server = createServer(async (req, res) => {
  if (req.url.startsWith('/socket.io/')) return; // engine.io answers these
  if (req.method !== 'POST') return res.writeHead(405).end();
  const body = await readBody(req);
  if (req.url === '/broadcast') {
    io.emit('push', body);
    res.writeHead(202, { 'content-type': 'application/json' }).end(`{"matched":${io.engine.clientsCount}}`);
    return;
  }
  io.to(req.url.slice('/push/'.length)).emit('push', body);
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
});

const io = new Server(server, { transports: ['websocket'], serveClient: false, ...(adapter ? { adapter } : {}) });
io.on('connection', (socket) => socket.join(String(socket.handshake.query.room ?? '')));

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`socket.io ${redis ? 'cluster node ' : ''}listening on http://127.0.0.1:${server.address().port}\n`);
});
process.once('SIGTERM', () => {
  io.close();
  redis?.disconnect();
  process.exit(0);
});
