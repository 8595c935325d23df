/** Errors any store engine may raise that the edges answer specially. */
import { CommitError } from './group-commit';

/**
 * The database cannot be reached (down, restarting, network): nothing was stored. HTTP answers
 * 503 with `Retry-After`; the request may be retried as is (docs/scaling.md, "Failures"). A
 * {@link CommitError}: a bot turn with an output lost this way runs again, as after a failed batch.
 */
export class StoreUnavailableError extends CommitError {
  constructor(options?: { cause?: unknown }) {
    super('the database is unreachable', 0, options);
    this.name = 'StoreUnavailableError';
  }
}
