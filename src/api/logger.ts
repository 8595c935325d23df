import type { Logger } from '../client';

type Sink = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * The widget's only use of the console: with `debug` every line goes to `sink` prefixed with
 * `[ServisBot]`; without it the widget is silent (host pages keep their console clean).
 */
export function createLogger(debug: boolean, sink: Sink = console): Logger {
  if (!debug) return () => {};
  return (level, message, data) => {
    if (data === undefined) sink[level]('[ServisBot]', message);
    else sink[level]('[ServisBot]', message, data);
  };
}
