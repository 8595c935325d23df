import { describe, expect, it } from 'vitest';
import { Limits } from './limits';
import { parseClientFrame } from './parse-request';

const frame = (value: unknown) => JSON.stringify(value);

describe('parseClientFrame', () => {
  it('parses a login with every field', () => {
    const result = parseClientFrame(
      frame({ request_id: 'r1', action: 'login', payload: { token: 't', last_seq: 4, history: true, context: { a: 1 } } }),
    );
    expect(result).toEqual({
      ok: true,
      value: { request_id: 'r1', action: 'login', payload: { token: 't', last_seq: 4, history: true, context: { a: 1 } } },
    });
  });

  it('treats a missing payload as empty and defaults history to false', () => {
    expect(parseClientFrame(frame({ request_id: 'r', action: 'login' }))).toEqual({
      ok: true,
      value: { request_id: 'r', action: 'login', payload: { token: undefined, last_seq: undefined, history: false, context: undefined } },
    });
  });

  it.each([
    ['not json', '{', 'frame is not valid JSON'],
    ['an array', '[]', 'frame must be a JSON object'],
    ['null', 'null', 'frame must be a JSON object'],
    ['no request_id', frame({ action: 'ping' }), 'request_id must be a non-empty string'],
    ['a numeric action', frame({ request_id: 'r', action: 5 }), 'action must be a string'],
    ['an unknown action', frame({ request_id: 'r', action: 'drop_tables' }), "unknown action 'drop_tables'"],
    ['a non-object payload', frame({ request_id: 'r', action: 'ping', payload: [1] }), 'payload must be an object'],
  ])('refuses %s', (_name, text, error) => {
    const result = parseClientFrame(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toBe(error);
  });

  it('echoes the readable request_id and action of a refused frame', () => {
    expect(parseClientFrame(frame({ request_id: 'r9', action: 'send_event', payload: {} }))).toEqual({
      ok: false,
      error: 'event must be an object',
      request_id: 'r9',
      action: 'send_event',
    });
  });

  it.each([
    [{ last_seq: -1 }, 'last_seq must be a non-negative integer'],
    [{ last_seq: 1.5 }, 'last_seq must be a non-negative integer'],
    [{ last_seq: 2 ** 60 }, 'last_seq must be a non-negative integer'],
    [{ token: 42 }, 'token must be a string'],
    [{ history: 'yes' }, 'history must be a boolean'],
    [{ context: 'x' }, 'context must be an object'],
    [{ context: { big: 'x'.repeat(Limits.contextChars) } }, `context must serialise to at most ${Limits.contextChars} characters`],
  ])('refuses login payload %j', (payload, error) => {
    const result = parseClientFrame(frame({ request_id: 'r', action: 'login', payload }));
    expect(result).toMatchObject({ ok: false, error });
  });

  it('parses send_event and refuses blank, long or untyped text', () => {
    const send = (event: unknown) => parseClientFrame(frame({ request_id: 'r', action: 'send_event', payload: { event } }));
    expect(send({ type: 'message', text: 'hi', custom_id: 'c1' })).toEqual({
      ok: true,
      value: { request_id: 'r', action: 'send_event', payload: { event: { type: 'message', text: 'hi', custom_id: 'c1' } } },
    });
    expect(send({ type: 'message', text: '   ', custom_id: 'c' })).toMatchObject({ error: 'event.text must not be blank' });
    expect(send({ type: 'message', text: 'x'.repeat(Limits.textChars + 1), custom_id: 'c' })).toMatchObject({
      error: `event.text must be at most ${Limits.textChars} characters`,
    });
    expect(send({ type: 'file', text: 'hi', custom_id: 'c' })).toMatchObject({ error: "event.type must be 'message'" });
    expect(send({ type: 'message', text: 'hi' })).toMatchObject({ error: 'event.custom_id must be a non-empty string' });
  });

  it('parses a quick-reply postback, toggled defaulting to true', () => {
    const result = parseClientFrame(
      frame({ request_id: 'r', action: 'send_rich_message_postback', payload: { event_id: 'e1', postback: { id: 'Yes' }, custom_id: 'c' } }),
    );
    expect(result).toEqual({
      ok: true,
      value: {
        request_id: 'r',
        action: 'send_rich_message_postback',
        payload: { event_id: 'e1', postback: { id: 'Yes', toggled: true }, custom_id: 'c' },
      },
    });
  });

  it('parses page_event with and without a body', () => {
    const page = (payload: unknown) => parseClientFrame(frame({ request_id: 'r', action: 'page_event', payload }));
    expect(page({ alias: 'checkout', custom_id: 'c' })).toMatchObject({ ok: true, value: { payload: { alias: 'checkout', body: undefined } } });
    expect(page({ alias: 'pricing', body: { plan: 'pro' }, custom_id: 'c' })).toMatchObject({
      ok: true,
      value: { payload: { alias: 'pricing', body: { plan: 'pro' } } },
    });
    expect(page({ alias: '', custom_id: 'c' })).toMatchObject({ ok: false, error: 'alias must be a non-empty string' });
    expect(page({ alias: 'a', body: [1], custom_id: 'c' })).toMatchObject({ ok: false, error: 'body must be an object' });
  });

  it('requires a context object for update_context', () => {
    expect(parseClientFrame(frame({ request_id: 'r', action: 'update_context', payload: {} }))).toMatchObject({
      ok: false,
      error: 'context must be an object',
    });
  });

  it('survives hostile JSON: deep nesting, huge numbers, odd unicode', () => {
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const cases = [
      deep,
      frame({ request_id: 'r', action: 'login', payload: { last_seq: 1e308 } }),
      frame({ request_id: '\u0000\ud800', action: 'ping' }),
      frame({ request_id: 'r', action: '__proto__' }),
      frame({ request_id: 'r', action: 'constructor' }),
    ];
    for (const text of cases) expect(() => parseClientFrame(text)).not.toThrow();
    expect(parseClientFrame(frame({ request_id: 'r', action: 'constructor' }))).toMatchObject({ ok: false });
    expect(parseClientFrame(frame({ request_id: 'r', action: 'toString' }))).toMatchObject({ ok: false });
  });
});
