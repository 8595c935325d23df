/**
 * The wire of the fake server: connections on a {@link FakeClock} with per-direction FIFO
 * latency, and the faults tests switch on (drops, half-open silence, refused connections,
 * duplicated frames). What the frames mean is {@link FakeServer}'s business.
 */
import type { WebSocketFactory } from '../types';
import type { FakeClock } from './fake-clock';
import { CLOSED, CONNECTING, FakeSocket, OPEN, type FakeConnection, type SocketPeer } from './fake-socket';

export abstract class FakeNetwork implements SocketPeer {
  readonly connections: FakeConnection[] = [];
  /** Delay of each frame in each direction, in ms (FIFO is kept). */
  latency: () => number;
  /** Probability of delivering a server frame twice. */
  duplicateRate = 0;
  /** Refuse new connections (error + close 1006), as a server that is down. */
  refuseConnections = false;
  /** Source of randomness for duplicates; the test seeds it. */
  random: () => number = () => 0;

  constructor(
    protected readonly clock: FakeClock,
    latency: () => number = () => 1,
  ) {
    this.latency = latency;
  }

  /** Handles one frame the client sent. */
  protected abstract handle(connection: FakeConnection, data: string): void;

  /** The constructor to give the client as `options.WebSocket`. */
  get WebSocket(): WebSocketFactory {
    const server = this;
    return class extends FakeSocket {
      constructor(url: string) {
        super(url, server);
        server.accept(this);
      }
    };
  }

  /** The newest connection. */
  get last(): FakeConnection {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('no connection yet');
    return connection;
  }

  /** Connections that are logged in and not cut. */
  get live(): FakeConnection[] {
    return this.connections.filter((c) => !c.cut && c.chatId !== undefined);
  }

  // ---- faults --------------------------------------------------------------------------------

  /** Cuts a connection: frames in flight are lost; the client sees a close with `code` (1006 by default). */
  drop(connection: FakeConnection, code = 1006, reason = ''): void {
    if (connection.cut) return;
    connection.cut = true;
    this.clock.setTimeout(() => {
      const socket = connection.socket;
      if (socket.readyState === CLOSED) return;
      socket.readyState = CLOSED;
      socket.onclose?.({ code, reason });
    }, this.latency());
  }

  dropAll(code = 1006): void {
    for (const connection of this.connections) this.drop(connection, code);
  }

  /** Makes a connection half-open: nothing passes either way and no close is reported. */
  silence(connection: FakeConnection): void {
    connection.silent = true;
  }

  /** Sends raw text to the client (bad frames, forged pushes). */
  sendRaw(connection: FakeConnection, data: unknown): void {
    this.deliver(connection, data);
  }

  /** Sends a frame object as JSON. */
  sendFrame(connection: FakeConnection, frame: unknown): void {
    this.deliver(connection, JSON.stringify(frame));
  }

  // ---- wire ------------------------------------------------------------------------------------

  accept(socket: FakeSocket): void {
    const connection: FakeConnection = {
      socket,
      chatId: undefined,
      cut: false,
      silent: false,
      lastUpAt: 0,
      lastDownAt: 0,
    };
    this.connections.push(connection);
    if (this.refuseConnections) {
      connection.cut = true;
      this.clock.setTimeout(() => {
        socket.readyState = CLOSED;
        socket.onerror?.({ type: 'error' });
        socket.onclose?.({ code: 1006, reason: '' });
      }, this.latency());
      return;
    }
    this.clock.setTimeout(() => {
      if (connection.cut || socket.readyState !== CONNECTING) return;
      socket.readyState = OPEN;
      socket.onopen?.({ type: 'open' });
    }, this.latency());
  }

  fromClient(socket: FakeSocket, data: string): void {
    const connection = this.connections.find((c) => c.socket === socket);
    if (!connection || connection.cut || connection.silent) return;
    const at = Math.max(connection.lastUpAt, this.clock.now() + this.latency());
    connection.lastUpAt = at;
    this.clock.setTimeout(() => {
      if (!connection.cut && !connection.silent) this.handle(connection, data);
    }, at - this.clock.now());
  }

  clientClosed(socket: FakeSocket, code: number, reason: string): void {
    const connection = this.connections.find((c) => c.socket === socket);
    if (connection) connection.cut = true;
    // The browser reports the close handshake's end a little later.
    this.clock.setTimeout(() => {
      socket.readyState = CLOSED;
      socket.onclose?.({ code, reason });
    }, this.latency());
  }

  private deliver(connection: FakeConnection, data: unknown): void {
    if (connection.cut || connection.silent) return;
    const copies = this.duplicateRate > 0 && this.random() < this.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i += 1) {
      const at = Math.max(connection.lastDownAt, this.clock.now() + this.latency());
      connection.lastDownAt = at;
      this.clock.setTimeout(() => {
        if (connection.cut || connection.silent || connection.socket.readyState !== OPEN) return;
        connection.socket.onmessage?.({ data });
      }, at - this.clock.now());
    }
  }

}
