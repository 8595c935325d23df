/**
 * Who a request comes from, for per-client limits. The peer address of the socket, unless that
 * peer is a configured trusted proxy: then the rightmost `X-Forwarded-For` entry that is not a
 * trusted proxy (entries further left are whatever the client wrote and prove nothing).
 *
 * Limits count per {@link addressKey}: an IPv4 address, or an IPv6 /64 (one subscriber's
 * network; counting single IPv6 addresses would hand an attacker 2^64 fresh buckets).
 */
import type { IncomingMessage } from 'node:http';
import { isIP, isIPv4 } from 'node:net';

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Canonical text of an address: IPv4-mapped IPv6 as IPv4, IPv6 lower-case without a zone. */
export function normalizeAddress(address: string): string {
  const plain = address.trim().replace(/%.*$/, '').toLowerCase();
  return MAPPED_V4.exec(plain)?.[1] ?? plain;
}

/** The eight 16-bit groups of a valid IPv6 address. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const part = (text: string): number[] =>
    text === ''
      ? []
      : text.split(':').flatMap((group) => {
          if (!isIPv4(group)) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The key per-client limits count under: the IPv4 address, the IPv6 /64, or the raw text (bounded). */
export function addressKey(address: string): string {
  const plain = normalizeAddress(address);
  if (isIPv4(plain)) return plain;
  if (isIP(plain) === 6) {
    const prefix = ipv6Groups(plain).slice(0, 4).map((group) => group.toString(16));
    return `${prefix.join(':')}::/64`;
  }
  return plain.slice(0, 64) || 'unknown';
}

/** The client's address: the socket peer, or behind a trusted proxy the address it forwarded for. */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? '');
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = normalizeAddress(entries[i] ?? '');
    if (isIP(entry) === 0) break; // garbage: stop trusting the chain here
    if (!trustedProxies.has(entry)) return entry;
  }
  return peer;
}

/** Normalises a list of trusted proxy addresses; throws TypeError naming a bad entry. */
export function trustedProxySet(addresses: readonly string[] | undefined): ReadonlySet<string> {
  const set = new Set<string>();
  for (const address of addresses ?? []) {
    const plain = normalizeAddress(address);
    if (isIP(plain) === 0) throw new TypeError(`trustedProxies: '${address}' is not an IP address`);
    set.add(plain);
  }
  return set;
}
