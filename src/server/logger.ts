/**
 * Structured logs with pino (https://getpino.io): one JSON object per line,
 * `{"level":"info","time":"<ISO-8601>","pid":…,"hostname":…,…fields,"msg":…}`, to stderr by
 * default, so any log pipeline that reads pino's JSON reads ours.
 *
 * Message bodies (what visitors type, what bots say, event data) and secrets (API keys, session
 * tokens, `Authorization` headers, pushback ids, which are capabilities) are never logged: call
 * sites pass only ids, names and counts, and pino's `redact` censors those field names anyway
 * should one slip in.
 *
 * The {@link Logger} interface (`log.info(msg, fields)`) stays the one the server codes against:
 * tests and embedders can pass any object with these four methods.
 */
import { pino, stdTimeFunctions, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** The lowest level a logger writes; `silent` writes nothing. */
export type LogThreshold = LogLevel | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Field names whose values are censored at the top level of a line (and `headers.*` for the two
 * header names). Wildcard paths (`*.token`) would catch more but cost about 3x per line in pino's
 * redaction: the line at `info` on every request must stay cheap.
 */
export const REDACTED_FIELDS: readonly string[] = [
  'apiKey',
  'key',
  'token',
  'secret',
  'password',
  'authorization',
  'cookie',
  'pushbackId',
  'body',
  'eventData',
];

export interface JsonLoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogThreshold;
  /** Where lines go (each ends with a newline). Default: stderr. */
  write?: (line: string) => void;
}

/** True for a `ROUNDEL_LOG_LEVEL` value: debug, info, warn, error or silent. */
export function isLogLevel(value: unknown): value is LogThreshold {
  return typeof value === 'string' && (value === 'silent' || (LEVELS as readonly string[]).includes(value));
}

/** The pino instance behind a logger made here, for cheap children. */
const PINO = Symbol('pino');
type PinoBacked = Logger & { [PINO]: PinoLogger };

function wrap(instance: PinoLogger): PinoBacked {
  const method = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    try {
      instance[level](fields ?? {}, msg);
    } catch {
      // pino survives cycles, BigInts and throwing toJSON; this is for whatever else a bot hands us.
      instance[level]({ note: 'fields not serialisable' }, msg);
    }
  };
  return { [PINO]: instance, debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}

/**
 * A logger writing JSON lines through pino. A field that cannot be serialised (a cycle, a
 * BigInt, a throwing toJSON) never makes logging throw.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const destination = options.write
    ? { write: options.write }
    : // Synchronous: a line written before a crash is on disk, not in a buffer.
      pino.destination({ dest: 2, sync: true });
  const instance = pino(
    {
      level: options.level ?? 'info',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_FIELDS, 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
  return wrap(instance);
}

/**
 * A logger that adds `fields` to every line (e.g. `{ requestId }` for everything one HTTP request
 * logs). For a pino-backed parent this is a pino child (its fields serialised once); fields given
 * at the call win over the bound ones.
 */
export function childLogger(parent: Logger, fields: LogFields): Logger {
  const backing = (parent as Partial<PinoBacked>)[PINO];
  if (backing) return new LazyChild(backing, fields);
  const bind = (level: LogLevel) => (msg: string, extra?: LogFields) => parent[level](msg, { ...fields, ...extra });
  return { debug: bind('debug'), info: bind('info'), warn: bind('warn'), error: bind('error') };
}

/**
 * A pino child made at the first line logged: most requests log none, and a pino child costs a
 * serialisation of its fields (every pushgate activation made one). A class, so that making one
 * per request is one small object, not four closures and an accessor.
 */
class LazyChild implements PinoBacked {
  private made: PinoBacked | undefined;

  constructor(
    private readonly parent: PinoLogger,
    private readonly fields: LogFields,
  ) {}

  get [PINO](): PinoLogger {
    return this.child()[PINO];
  }

  debug(msg: string, fields?: LogFields): void {
    this.child().debug(msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.child().info(msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.child().warn(msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.child().error(msg, fields);
  }

  private child(): PinoBacked {
    this.made ??= wrap(this.parent.child(this.fields));
    return this.made;
  }
}

/** Drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Log fields describing a thrown value. Never throws: bots can throw anything (a Proxy, an
 * object whose toString throws, an Error with a throwing getter).
 */
export function errorFields(error: unknown): LogFields {
  try {
    if (error instanceof Error) return { error: String(error.message), errorName: String(error.name), stack: error.stack };
    return { error: String(error) };
  } catch {
    return { error: 'a thrown value that cannot be described' };
  }
}
