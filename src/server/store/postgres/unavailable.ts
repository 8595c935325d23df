/**
 * Tells a lost or refused connection apart from a failed statement: only the former becomes a
 * {@link StoreUnavailableError} (503), a bug or a constraint stays a 500.
 */
import { StoreUnavailableError } from '../errors';

/** SQLSTATE classes and codes that mean "the server is not there for you now". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Messages of pg's own client-side failures, which carry no code. */
const PG_CLIENT_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i;

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return PG_CLIENT_MESSAGES.test(error.message);
}

/** Returns `target` with the connection failures of its async methods (all but `sync`) turned into {@link StoreUnavailableError}. */
export function reportUnavailable<T extends object>(target: T, sync: ReadonlyArray<keyof T>): T {
  const wrapped = { ...target };
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== 'function' || sync.includes(key as keyof T)) continue;
    (wrapped as Record<string, unknown>)[key] = async (...args: unknown[]) => {
      try {
        return await (value as (...a: unknown[]) => unknown).apply(target, args);
      } catch (error) {
        throw isUnavailable(error) ? new StoreUnavailableError({ cause: error }) : error;
      }
    };
  }
  return wrapped;
}
