import { describe, expect, it } from 'vitest';
import { parseAgentRequest } from './agent-parse';
import { parseClientFrame } from './parse-request';

const frame = (value: unknown) => JSON.stringify(value);

describe.each([
  ['visitor', parseClientFrame, 'ping'],
  ['agent', parseAgentRequest, 'ping'],
] as const)('the request envelope of the %s protocol', (_name, parse, known) => {
  it('reads request_id, action and an absent payload as {}', () => {
    expect(parse(frame({ request_id: 'r1', action: known }))).toEqual({ ok: true, value: { request_id: 'r1', action: known, payload: {} } });
  });

  it('echoes what it could read of a frame it refuses, but not an over-long request_id or action', () => {
    expect(parse(frame({ request_id: 'r2', action: 'no_such_action' }))).toEqual({
      ok: false,
      error: "unknown action 'no_such_action'",
      request_id: 'r2',
      action: 'no_such_action',
    });
    expect(parse(frame({ request_id: 'x'.repeat(101), action: known }))).toMatchObject({ ok: false, request_id: undefined, action: known });
    expect(parse(frame({ request_id: 'r3', action: 'a'.repeat(101) }))).toMatchObject({ ok: false, request_id: 'r3', action: undefined });
  });

  it('refuses what is not an object, an inherited name as action, and a payload that is not an object', () => {
    expect(parse('[1]')).toEqual({ ok: false, error: 'frame must be a JSON object' });
    expect(parse('{')).toEqual({ ok: false, error: 'frame is not valid JSON' });
    expect(parse(frame({ request_id: 'r', action: 'hasOwnProperty' }))).toMatchObject({ ok: false, error: "unknown action 'hasOwnProperty'" });
    expect(parse(frame({ request_id: 'r', action: known, payload: [] }))).toMatchObject({ ok: false, error: 'payload must be an object' });
    expect(parse(frame({ request_id: '', action: known }))).toMatchObject({ ok: false, error: 'request_id must be a non-empty string' });
  });
});

describe('the message event both protocols send', () => {
  it('refuses a blank text and a type other than message, naming the field', () => {
    const blank = { event: { type: 'message', text: '  ', custom_id: 'c' }, chat_id: 'c1' };
    expect(parseClientFrame(frame({ request_id: 'r', action: 'send_event', payload: blank }))).toMatchObject({ error: 'event.text must not be blank' });
    expect(parseAgentRequest(frame({ request_id: 'r', action: 'send_event', payload: blank }))).toMatchObject({ error: 'event.text must not be blank' });
    const file = { event: { type: 'file', text: 'x' }, chat_id: 'c1' };
    expect(parseAgentRequest(frame({ request_id: 'r', action: 'send_event', payload: file }))).toMatchObject({ error: "event.type must be 'message'" });
    expect(parseClientFrame(frame({ request_id: 'r', action: 'send_event', payload: file }))).toMatchObject({ error: "event.type must be 'message'" });
  });
});
