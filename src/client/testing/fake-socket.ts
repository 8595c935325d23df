/** The client's end of a fake websocket, and the server's record of one connection. */
import { parseClientFrame, type ClientRequest } from '../../protocol';
import type { WebSocketLike } from '../types';

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** What a socket tells the network it is plugged into. */
export interface SocketPeer {
  fromClient(socket: FakeSocket, data: string): void;
  clientClosed(socket: FakeSocket, code: number, reason: string): void;
}

/** The client's side of a fake connection. */
export class FakeSocket implements WebSocketLike {
  readyState = CONNECTING;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Frames the client sent, in order. */
  readonly sent: string[] = [];
  /** The code the client closed with, if it did. */
  closedWith: { code: number; reason: string } | undefined;

  constructor(
    readonly url: string,
    private readonly server: SocketPeer,
  ) {}

  send(data: string): void {
    if (this.readyState !== OPEN) throw new Error('InvalidStateError: the socket is not open');
    this.sent.push(data);
    this.server.fromClient(this, data);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.closedWith = { code, reason };
    this.server.clientClosed(this, code, reason);
  }

  /** Sent requests, parsed (for assertions). */
  requests(): ClientRequest[] {
    return this.sent.flatMap((text) => {
      const parsed = parseClientFrame(text);
      return parsed.ok ? [parsed.value] : [];
    });
  }
}

/** Server-side state of one connection. */
export interface FakeConnection {
  socket: FakeSocket;
  chatId: string | undefined;
  /** No more frames either way (a drop, or the client closed). */
  cut: boolean;
  /** Half-open: frames vanish both ways, and nobody is told. */
  silent: boolean;
  lastUpAt: number;
  lastDownAt: number;
}
