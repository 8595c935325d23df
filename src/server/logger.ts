/**
 * Structured logs: one JSON object per line (`{level, time, msg, ...fields}`), to stderr by
 * default. Message bodies (what visitors type, what bots say, event data) and secrets (API keys,
 * session tokens, `Authorization` headers, pushback ids, which are capabilities) are never logged.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default: `process.stderr`. */
  write?: (line: string) => void;
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ORDER, value);
}

/** A logger writing JSON lines. A field that cannot be serialised never makes logging throw. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const log = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    let line: string;
    try {
      line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields });
    } catch {
      line = JSON.stringify({ level, time: new Date().toISOString(), msg, note: 'fields not serialisable' });
    }
    write(`${line}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * A logger that adds `fields` to every line (e.g. `{ requestId }` for everything one HTTP request
 * logs). Fields given at the call win over the bound ones.
 */
export function childLogger(parent: Logger, fields: LogFields): Logger {
  const bind = (level: LogLevel) => (msg: string, extra?: LogFields) => parent[level](msg, { ...fields, ...extra });
  return { debug: bind('debug'), info: bind('info'), warn: bind('warn'), error: bind('error') };
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
