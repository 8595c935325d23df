/**
 * The process-level net of `roundel serve`. Bots run in the server's process, and a bot can
 * throw from its own timer or leave a promise rejecting unobserved; Node's default is to exit,
 * which would let any visitor who can trigger such a bot bug take every conversation down.
 *
 * Judgment call (docs/security.md, "Process guard"): log the error and keep serving. That is
 * safe here because the server's own state is either in SQLite (every write is a transaction, so
 * an exception leaves nothing half-written) or rebuilt per connection, and our own callbacks
 * catch their errors; what remains are errors in bot code. Set `ROUNDEL_EXIT_ON_UNCAUGHT=1` to
 * exit instead and let a supervisor restart the process.
 */
import { errorFields, type Logger } from '../logger';

/** The part of `process` the guard uses (an EventEmitter in tests). */
export interface GuardedProcess {
  on(event: 'uncaughtException', listener: (error: unknown) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (error: unknown) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

export interface ProcessGuardOptions {
  /** Exit (code 1) after logging an uncaught exception instead of serving on. Default false. */
  exitOnUncaught?: boolean;
  /** Called to exit; default `process.exit`. */
  exit?: (code: number) => void;
}

/** Installs the handlers; returns a function that removes them. */
export function installProcessGuard(logger: Logger, proc: GuardedProcess = process, options: ProcessGuardOptions = {}): () => void {
  const onException = (error: unknown): void => {
    logger.error('uncaught exception (most likely in bot code)', { ...errorFields(error), exiting: options.exitOnUncaught === true });
    if (options.exitOnUncaught === true) (options.exit ?? process.exit)(1);
  };
  const onRejection = (reason: unknown): void => {
    logger.error('unhandled promise rejection (most likely in bot code)', errorFields(reason));
  };
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}
