/** Errors any store engine may raise that the edges answer specially. */

/**
 * The database cannot be reached (down, restarting, network): nothing was stored. HTTP answers
 * 503 with `Retry-After`; the request may be retried as is (docs/scaling.md, "Failures").
 */
export class StoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the database is unreachable', options);
    this.name = 'StoreUnavailableError';
  }
}
