// Types of scripts/services.mjs for the TypeScript tests, the cluster runner and the bench.

export interface PostgresHandle {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:PORT/roundel` */
  readonly url: string;
  urlOf(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): string;
  /** Creates an empty schema in the `roundel` database; returns a URL whose connections use it (search_path). */
  createSchema(name: string): string;
  /** Starts it again after {@link stop} (same port, same data). */
  start(): Promise<void>;
  /**
   * Resolves once the postmaster has exited. `smart` (default) lets clients disconnect first (at
   * most 3 s, then fast); `fast` drops them at once (an outage).
   */
  stop(mode?: 'smart' | 'fast'): Promise<void>;
  /** SIGKILLs the postmaster (when {@link stop} would not end it); resolves once it has exited. */
  kill(): Promise<void>;
  /** Stops it and removes its data directory. */
  close(): Promise<void>;
}

export interface RedisHandle {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILLs it; resolves once it has exited. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export function postgresBinDir(): string | undefined;
export function ensureServices(): void;
export function freePort(): Promise<number>;
export function startPostgres(options?: { durable?: boolean }): Promise<PostgresHandle>;
export function startRedis(): Promise<RedisHandle>;
