// The peer of the cluster scenario: the Socket.IO forwarder of socketio-server.mjs on several
// processes joined by @socket.io/redis-streams-adapter (Socket.IO's own answer to "several nodes",
// over Redis Streams, like Roundel over Redis). `POST /push/N` on any node is
// `io.to(N).emit('push', body)`, which reaches the room's sockets on every node.
// REDIS_URL names the Redis; socket.io and the adapter come from bench/peers. 127.0.0.1 only.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../peers/package.json', import.meta.url));
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-streams-adapter');
// ioredis: Roundel's own dependency (found from bench/peers up the tree), as the adapter supports.
const { Redis } = require('ioredis');

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

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
  io.to(req.url.slice('/push/'.length)).emit('push', body);
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
});

const io = new Server(server, { transports: ['websocket'], serveClient: false, adapter: createAdapter(redis) });
io.on('connection', (socket) => socket.join(String(socket.handshake.query.room ?? '')));

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`socket.io cluster node listening on http://127.0.0.1:${server.address().port}\n`);
});
process.once('SIGTERM', () => {
  io.close();
  redis.disconnect();
  process.exit(0);
});
