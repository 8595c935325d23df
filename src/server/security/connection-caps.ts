/**
 * Caps on open websocket connections, in total and per client address. A connection is counted
 * from the moment its upgrade is admitted (before the handshake, so a burst of half-open
 * handshakes counts too) until its TCP socket closes, whatever closed it. The per-client map
 * holds only addresses with open connections, so it is bounded by the total cap.
 */

export type Admission = { ok: true; release: () => void } | { ok: false; reason: 'total' | 'client' };

export class ConnectionCaps {
  private total = 0;
  private readonly perClient = new Map<string, number>();

  /**
   * @param maxTotal open connections allowed in all
   * @param maxPerClient open connections allowed per client key
   */
  constructor(
    private readonly maxTotal: number,
    private readonly maxPerClient: number,
  ) {}

  /** Counts one connection of `key`; `release` (idempotent) gives it back. */
  admit(key: string): Admission {
    if (this.total >= this.maxTotal) return { ok: false, reason: 'total' };
    const count = this.perClient.get(key) ?? 0;
    if (count >= this.maxPerClient) return { ok: false, reason: 'client' };
    this.total += 1;
    this.perClient.set(key, count + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.perClient.get(key) ?? 1) - 1;
        if (left > 0) this.perClient.set(key, left);
        else this.perClient.delete(key);
      },
    };
  }

  /** Open connections in all. */
  get size(): number {
    return this.total;
  }

  /** Client keys with open connections. */
  get clients(): number {
    return this.perClient.size;
  }
}
