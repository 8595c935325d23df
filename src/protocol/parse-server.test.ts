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
    expect(parseServerFrame(JSON.stringify(odd))).toEqual({ ok: false, error: 'error response is malformed' });
  });

  it.each([
    ['not json', 'nope'],
    ['no action', JSON.stringify({ type: 'push', payload: {} })],
    ['an unknown type', JSON.stringify({ action: 'x', type: 'event' })],
    ['a push without seq', JSON.stringify({ action: 'host_notification', type: 'push', payload: { chat_id: 'c', message: 'm' } })],
    ['a zero seq', JSON.stringify({ action: 'thread_closed', type: 'push', payload: { chat_id: 'c', seq: 0 } })],
    ['an unknown push', JSON.stringify({ action: 'incoming_chat', type: 'push', payload: { chat_id: 'c' } })],
    ['a message with a bad author', JSON.stringify({ action: 'incoming_event', type: 'push', payload: { chat_id: 'c', seq: 1, event: { ...message, author: 'agent' } } })],
    ['quick replies that are not strings', JSON.stringify({ action: 'incoming_event', type: 'push', payload: { chat_id: 'c', seq: 1, event: { ...message, quick_replies: [1] } } })],
  ])('refuses %s', (_name, text) => {
    expect(parseServerFrame(text).ok).toBe(false);
  });
});

describe('parsePush / parseLoginResponse', () => {
  it('keeps only string theme values from settings', () => {
    const login = {
      chat_id: 'c',
      customer_id: 'c',
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
    const login = { chat_id: 'c', customer_id: 'c', token: 't', resumed: false, recovered: true, last_seq: 0, history: [], settings };
    const parsed = parseLoginResponse(login);
    expect(parsed.ok && parsed.value.settings).toEqual({ title: 'Help', titles: { en: 'Help', es: 'Ayuda' }, theme: {} });
  });

  it('refuses a login whose history holds a bad push', () => {
    const result = parseLoginResponse({
      chat_id: 'c', customer_id: 'c', token: 't', resumed: true, recovered: true, last_seq: 0,
      history: [{ action: 'host_notification', type: 'push', payload: { chat_id: 'c', seq: 1 } }],
      settings: { title: 'x', theme: {} },
    });
    expect(result).toEqual({ ok: false, error: 'history: host_notification fields are malformed' });
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
