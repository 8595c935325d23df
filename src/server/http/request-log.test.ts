import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../app';
import { createJsonLogger, type Logger } from '../logger';
import { ServerMetrics } from '../metrics';
import type { Bot } from '../runtime/types';
import { ENDPOINT_A, KEY_A, call, seedChats, startApiServer, type ApiServer } from '../test/api';
import { createRequestHandler } from './router';

type Line = Record<string, unknown> & { level: string; msg: string };

/** A debug-level JSON logger whose lines land in `lines`, parsed. */
function capture(): { logger: Logger; lines: Line[]; raw: string[] } {
  const lines: Line[] = [];
  const raw: string[] = [];
  const logger = createJsonLogger({
    level: 'debug',
    write: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line) as Line);
    },
  });
  return { logger, lines, raw };
}

/** The fields pino puts on every info line: the process's pid, and the line's own time and host. */
const pinoFields = (line: Line | undefined) => ({ level: 'info', time: line?.time, pid: process.pid, hostname: line?.hostname });

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const bot: Bot = { onEvent: (ctx, _event, data) => ctx.say(`Announcement: ${String(data.text)}`) };

let t: ApiServer | undefined;
let plain: Server | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  await new Promise<void>((resolve) => (plain ? plain.close(() => resolve()) : resolve()));
  plain = undefined;
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id and generates a UUID for a missing or insane one, on every kind of response', async () => {
    t = await startApiServer(bot);
    const idOf = async (path: string, requestId?: string) =>
      (await call(t!.url, path, { key: null, headers: requestId === undefined ? {} : { 'X-Request-Id': requestId } })).headers.get(
        'x-request-id',
      );
    for (const path of ['/healthz', '/nothing-here', '/api/v1/events/x', '/pushgate/push_nope']) {
      expect(await idOf(path, 'abc-123:retry.2'), path).toBe('abc-123:retry.2');
      expect(await idOf(path), path).toMatch(UUID_V4);
    }
    for (const insane of ['a b', 'x'.repeat(129), '-leading', '"quoted"', '{"level":"error"}']) {
      expect(await idOf('/healthz', insane), insane).toMatch(UUID_V4);
    }
    expect(await idOf('/healthz', 'x'.repeat(128))).toBe('x'.repeat(128));
  });
});

describe('logs', () => {
  it('put the request id on every line of a request and write one access line', async () => {
    const { logger, lines } = capture();
    t = await startApiServer(bot, { logger });
    seedChats(t.dbPath, [{ id: 'c1' }]);
    const res = await t.call('/api/v1/events/announcement', {
      headers: { 'X-Request-Id': 'req-1' },
      body: { users: ['c1'], data: { text: 'Doors open at nine' } },
    });
    expect(res.status).toBe(202);
    const mine = lines.filter((line) => line.requestId === 'req-1');
    expect(mine.map((line) => [line.level, line.msg])).toEqual([
      ['info', 'external event stored'],
      ['info', 'http request'],
    ]);
    expect(mine[0]).toEqual({
      ...pinoFields(mine[0]),
      msg: 'external event stored',
      requestId: 'req-1',
      endpoint: ENDPOINT_A,
      event: 'announcement',
      audience: 'listed',
      matched: 1,
      durationMs: mine[0]?.durationMs,
    });
    expect(mine[1]).toEqual({
      ...pinoFields(mine[1]),
      msg: 'http request',
      requestId: 'req-1',
      method: 'POST',
      route: '/api/v1/events/{event}',
      endpoint: ENDPOINT_A,
      status: 202,
      durationMs: mine[1]?.durationMs,
    });
    expect(typeof mine[1]?.durationMs).toBe('number');
    await (await fetch(`${t.url}/healthz`, { headers: { 'X-Request-Id': 'poll-1' } })).text();
    await t.close();
    t = undefined;
    expect(lines.filter((line) => line.requestId === 'poll-1').map((line) => [line.level, line.route])).toEqual([['debug', '/healthz']]);
  });

  it('never hold API keys, Authorization headers, pushback ids or message bodies', async () => {
    const { logger, raw } = capture();
    t = await startApiServer(bot, { logger });
    seedChats(t.dbPath, [{ id: 'c1' }]);
    const input = { channelType: 'chatwidget', botId: ENDPOINT_A, chatId: 'c1', event: 'offer', eventData: { text: 'pushback body text' } };
    const { id, link } = (await t.call('/api/v1/pushbacks', { body: input })).body as { id: string; link: string };
    expect((await fetch(link, { method: 'POST', body: JSON.stringify({ text: 'activation body text' }) })).status).toBe(202);
    await t.call(`/api/v1/pushbacks/${id}`);
    await t.call('/api/v1/events/announcement', { body: { users: 'everyone', data: { text: 'event body text' } } });
    await t.call('/api/v1/events/announcement', { body: { users: 'everyone' }, key: 'a-wrong-key-that-is-secret' });
    await t.server.idle();
    await t.close();
    t = undefined;
    const text = raw.join('');
    expect(raw.length).toBeGreaterThan(5);
    for (const secret of [KEY_A, 'a-wrong-key-that-is-secret', 'Bearer', id, 'body text', 'Announcement:']) {
      expect(text, secret).not.toContain(secret);
    }
  });

  it('log an unexpected failure with its stack under the request id and answer a bare 500', async () => {
    const { logger, lines } = capture();
    const app = { logger, metrics: new ServerMetrics() } as unknown as App;
    const fail = async () => {
      throw new Error('the disk is on fire');
    };
    plain = createServer(createRequestHandler(app, { api: fail, pushgate: fail }));
    await new Promise<void>((resolve) => plain!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    const res = await call(url, '/api/v1/anything', { headers: { 'X-Request-Id': 'boom-1' } });
    expect(res).toMatchObject({ status: 500, body: { error: { type: 'internal', message: 'internal server error' } } });
    expect(res.headers.get('x-request-id')).toBe('boom-1');
    const logged = lines.find((line) => line.msg === 'request failed');
    expect(logged).toMatchObject({ level: 'error', requestId: 'boom-1', method: 'GET', error: 'the disk is on fire', errorName: 'Error' });
    expect(String(logged?.stack)).toContain('the disk is on fire');
    expect(await app.metrics.render()).toContain('roundel_http_requests_total{route="unmatched",status="500"} 1');
  });
});
