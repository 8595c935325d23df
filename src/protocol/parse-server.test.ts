import { describe, expect, it } from 'vitest';
import { parseLoginResponse, parsePush, parseServerFrame } from './parse-server';

const message = { id: 'm1', type: 'message', author: 'bot', text: 'hi', created_at: '2026-01-01T00:00:00.000Z' };

describe('parseServerFrame', () => {
  it('parses an incoming_event push', () => {
    const push = { action: 'incoming_event', type: 'push', payload: { chat_id: 'c', seq: 3, event: message } };
    expect(parseServerFrame(JSON.stringify(push))).toEqual({
      ok: true,
      value: { ...push, payload: { ...push.payload, event: { ...message, quick_replies: undefined, custom_id: undefined } } },
    });
  });

  it('parses an error response and refuses an unknown error type', () => {
    const error = { request_id: 'r', action: 'login', type: 'response', success: false, error: { type: 'validation', message: 'bad' } };
    expect(parseServerFrame(JSON.stringify(error))).toEqual({ ok: true, value: error });
    const odd = { ...error, error: { type: 'teapot', message: 'bad' } };
    expect(parseServerFrame(JSON.stringify(odd))).toEqual({ ok: false, error: 'bad frame.error.type' });
  });

  it.each([
    ['not json', 'nope', 'frame is not JSON'],
    ['no action', JSON.stringify({ type: 'push', payload: {} }), 'bad frame.action'],
    ['an unknown type', JSON.stringify({ action: 'x', type: 'event' }), 'bad frame.type'],
    ['a response without success', JSON.stringify({ request_id: 'r', action: 'x', type: 'response' }), 'bad frame.success'],
    ['a response without payload', JSON.stringify({ request_id: 'r', action: 'x', type: 'response', success: true }), 'bad frame.payload'],
    ['a push without seq', JSON.stringify({ action: 'host_notification', type: 'push', payload: { chat_id: 'c', message: 'm' } }), 'bad frame.payload.seq'],
    ['a zero seq', JSON.stringify({ action: 'thread_closed', type: 'push', payload: { chat_id: 'c', seq: 0 } }), 'bad frame.payload.seq'],
    ['an unknown push', JSON.stringify({ action: 'incoming_chat', type: 'push', payload: { chat_id: 'c' } }), 'bad frame.action'],
    ['a push named after an Object member', JSON.stringify({ action: 'constructor', type: 'push', payload: { chat_id: 'c' } }), 'bad frame.action'],
    ['a push named __proto__', '{"action":"__proto__","type":"push","payload":{"chat_id":"c"}}', 'bad frame.action'],
    ['a message with a bad author', JSON.stringify({ action: 'incoming_event', type: 'push', payload: { chat_id: 'c', seq: 1, event: { ...message, author: 'robot' } } }), 'bad frame.payload.event.author'],
    ['quick replies that are not strings', JSON.stringify({ action: 'incoming_event', type: 'push', payload: { chat_id: 'c', seq: 1, event: { ...message, quick_replies: [1] } } }), 'bad frame.payload.event.quick_replies[0]'],
    ['a typing indicator without is_typing', JSON.stringify({ action: 'incoming_typing_indicator', type: 'push', payload: { chat_id: 'c', typing_indicator: {} } }), 'bad frame.payload.typing_indicator.is_typing'],
  ])('refuses %s, naming the field', (_name, text, error) => {
    expect(parseServerFrame(text)).toEqual({ ok: false, error });
  });

  it('reads own fields only, whatever the page added to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    proto.custom_id = 'forged';
    try {
      const push = { action: 'incoming_event', type: 'push', payload: { chat_id: 'c', seq: 1, event: message } };
      expect(parseServerFrame(JSON.stringify(push))).toEqual({
        ok: true,
        value: { ...push, payload: { ...push.payload, event: { ...message, quick_replies: undefined, custom_id: undefined } } },
      });
    } finally {
      delete proto.polluted;
      delete proto.custom_id;
    }
  });

  it('copies only the fields of the type', () => {
    const push = { action: 'host_notification', type: 'push', extra: 1, payload: { chat_id: 'c', seq: 1, message: 'm', extra: 2 } };
    expect(parseServerFrame(JSON.stringify(push))).toEqual({
      ok: true,
      value: { action: 'host_notification', type: 'push', payload: { chat_id: 'c', seq: 1, message: 'm' } },
    });
  });
});

describe('parsePush / parseLoginResponse', () => {
  it('keeps only string theme values from settings', () => {
    const login = {
      chat_id: 'c',
      customer_id: 'c',
      thread_id: 'th',
      thread_seq: 0,
      token: 't',
      resumed: false,
      recovered: true,
      last_seq: 1,
      history: [{ action: 'host_notification', type: 'push', payload: { chat_id: 'c', seq: 1, message: 'hello' } }],
      settings: { title: 'Shop', theme: { primary: '#123', evil: { x: 1 } } },
    };
    expect(parseLoginResponse(login)).toEqual({
      ok: true,
      value: { ...login, settings: { title: 'Shop', subtitle: undefined, theme: { primary: '#123' } } },
    });
  });

  it('keeps string translations of the title and subtitle', () => {
    const settings = { title: 'Help', titles: { en: 'Help', es: 'Ayuda', bad: 1 }, subtitles: 'not a map', theme: {} };
    const login = { chat_id: 'c', customer_id: 'c', thread_id: 'th', thread_seq: 0, token: 't', resumed: false, recovered: true, last_seq: 0, history: [], settings };
    const parsed = parseLoginResponse(login);
    expect(parsed.ok && parsed.value.settings).toEqual({ title: 'Help', titles: { en: 'Help', es: 'Ayuda' }, theme: {} });
  });

  it('refuses a login whose history holds a bad push', () => {
    const result = parseLoginResponse({
      chat_id: 'c', customer_id: 'c', thread_id: 'th', thread_seq: 0, token: 't', resumed: true, recovered: true, last_seq: 0,
      history: [{ action: 'host_notification', type: 'push', payload: { chat_id: 'c', seq: 1 } }],
      settings: { title: 'x', theme: {} },
    });
    expect(result).toEqual({ ok: false, error: 'bad login.history[0].payload.message' });
  });

  it('parses ephemeral pushes without seq', () => {
    expect(
      parsePush({ action: 'incoming_typing_indicator', type: 'push', payload: { chat_id: 'c', typing_indicator: { is_typing: true } } }),
    ).toEqual({
      ok: true,
      value: { action: 'incoming_typing_indicator', type: 'push', payload: { chat_id: 'c', typing_indicator: { author_id: 'bot', is_typing: true } } },
    });
  });
});
