import { describe, expect, it } from 'vitest';
import { childLogger, createJsonLogger, errorFields, isLogLevel } from './logger';

function capture(level?: 'debug' | 'info' | 'warn' | 'error' | 'silent') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({ level, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('the pino logger', () => {
  it('writes one JSON line per call with a level name, an ISO time, pid and hostname', () => {
    const { logger, lines } = capture();
    logger.info('started', { port: 8080 });
    expect(lines).toEqual([{ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), pid: process.pid, hostname: expect.any(String), port: 8080, msg: 'started' }]);
  });

  it('drops lines below its level (info by default)', () => {
    const quiet = capture();
    quiet.logger.debug('noise');
    quiet.logger.warn('careful');
    expect(quiet.lines.map((l) => [l.level, l.msg])).toEqual([['warn', 'careful']]);
    const loud = capture('debug');
    loud.logger.debug('noise');
    expect(loud.lines.map((l) => l.msg)).toEqual(['noise']);
    const silent = capture('silent');
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
    expect(['debug', 'info', 'warn', 'error', 'silent'].every(isLogLevel)).toBe(true);
    expect(isLogLevel('trace')).toBe(false);
  });

  it('censors secrets, capabilities and bodies should a call site pass them', () => {
    const { logger, lines } = capture();
    logger.info('oops', { apiKey: 'k', pushbackId: 'p', body: { text: 'hi' }, eventData: { a: 1 }, token: 't', headers: { authorization: 'Bearer k', cookie: 'c', accept: '*/*' }, endpoint: 'acme' });
    expect(lines[0]).toMatchObject({
      apiKey: '[redacted]',
      pushbackId: '[redacted]',
      body: '[redacted]',
      eventData: '[redacted]',
      token: '[redacted]',
      headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' },
      endpoint: 'acme',
    });
  });

  it('children carry their fields on every line; call fields win', () => {
    const { logger, lines } = capture();
    const child = childLogger(childLogger(logger, { requestId: 'r1' }), { endpoint: 'acme' });
    child.info('a');
    child.warn('b', { endpoint: 'other' });
    expect(lines.map((l) => [l.requestId, l.endpoint, l.msg])).toEqual([['r1', 'acme', 'a'], ['r1', 'other', 'b']]);
    const plain: string[] = [];
    const stub = { debug() {}, info: (msg: string, f?: Record<string, unknown>) => plain.push(`${msg} ${JSON.stringify(f)}`), warn() {}, error() {} };
    childLogger(stub, { requestId: 'r2' }).info('c', { n: 1 });
    expect(plain).toEqual(['c {"requestId":"r2","n":1}']);
  });

  it('never throws on fields it cannot serialise', () => {
    const { logger, lines } = capture();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const hostile = { toJSON() { throw new Error('no'); } };
    expect(() => logger.error('weird', { n: 10n, cycle, hostile, ...errorFields(new Proxy({}, { get() { throw new Error('x'); } })) })).not.toThrow();
    expect(lines.map((l) => l.msg)).toEqual(['weird']);
  });
});
