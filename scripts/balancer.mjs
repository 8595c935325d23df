// A small round-robin TCP balancer for trying and testing several Roundel nodes on one machine:
// each new connection goes to the next node; a node that refuses the connection is skipped (it
// died), so a visitor's reconnect lands on a live one. No stickiness: any node serves any request.
// Layer 4 only, so websockets pass through untouched. Not for production: use nginx or HAProxy
// (docs/scaling.md).
import { connect, createServer } from 'node:net';

/**
 * @param {Array<{ host: string, port: number }>} backends
 * @param {{ port?: number, host?: string }} [options] where to listen (default 127.0.0.1, a free port)
 * @returns {Promise<import('./balancer.d.mts').Balancer>}
 */
export async function startBalancer(backends, options = {}) {
  let targets = [...backends];
  let next = 0;
  const sockets = new Set();

  function pipeTo(client, attempt) {
    if (targets.length === 0 || attempt >= targets.length) {
      client.destroy();
      return;
    }
    const target = targets[next % targets.length];
    next = (next + 1) % Math.max(1, targets.length);
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    const refused = () => {
      // Nothing was sent yet: try the next node with the same client connection.
      upstream.destroy();
      pipeTo(client, attempt + 1);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  const server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => {});
    pipeTo(client, 0);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  return {
    port,
    url: `http://${host}:${port}`,
    setBackends(list) {
      targets = [...list];
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
