import { describe, expect, it } from 'vitest';
import { parseAgentChat, parseAgentRequest, parseAgentServerFrame } from './agent-parse';

const request = (action: string, payload?: unknown) => JSON.stringify({ request_id: 'r1', action, payload });

describe('parseAgentRequest', () => {
  it('accepts every agent action with a valid payload', () => {
    const valid: [string, unknown][] = [
      ['login', { token: 'k' }],
      ['ping', {}],
      ['list_chats', {}],
      ['get_chat', { chat_id: 'c' }],
      ['add_user_to_chat', { chat_id: 'c' }],
      ['remove_user_from_chat', { chat_id: 'c' }],
      ['send_event', { chat_id: 'c', event: { type: 'message', text: 'Hi' } }],
      ['send_typing_indicator', { chat_id: 'c', is_typing: true }],
      ['transfer_chat', { chat_id: 'c', target: { type: 'agent', ids: ['bob'] } }],
      ['deactivate_chat', { chat_id: 'c' }],
      ['mark_events_as_seen', { chat_id: 'c', seen_up_to: '2026-01-01T00:00:00Z' }],
    ];
    for (const [action, payload] of valid) {
      const parsed = parseAgentRequest(request(action, payload));
      expect(parsed.ok, action).toBe(true);
    }
  });

  it('refuses the widget actions: a visitor frame is no agent frame, and back', () => {
    for (const action of ['start_chat', 'page_event', 'send_rich_message_postback', 'update_context']) {
      expect(parseAgentRequest(request(action, {}))).toMatchObject({ ok: false, error: `unknown action '${action}'`, request_id: 'r1' });
    }
  });

  it('names the bad field', () => {
    expect(parseAgentRequest(request('login', {}))).toMatchObject({ ok: false, error: 'token must be a non-empty string' });
    expect(parseAgentRequest(request('send_event', { chat_id: 'c', event: { type: 'message', text: '  ' } }))).toMatchObject({
      error: 'event.text must not be blank',
    });
    expect(parseAgentRequest(request('send_typing_indicator', { chat_id: 'c', is_typing: 'yes' }))).toMatchObject({
      error: 'is_typing must be a boolean',
    });
    expect(parseAgentRequest(request('transfer_chat', { chat_id: 'c', target: { type: 'group', ids: [1] } }))).toMatchObject({
      error: "target.type must be 'agent'",
    });
    expect(parseAgentRequest(request('transfer_chat', { chat_id: 'c', target: { type: 'agent', ids: [] } }))).toMatchObject({ ok: false });
    expect(parseAgentRequest(request('mark_events_as_seen', { chat_id: 'c', seen_up_to: 'soon' }))).toMatchObject({
      error: 'seen_up_to must be an ISO 8601 date-time',
    });
    expect(parseAgentRequest('not json')).toEqual({ ok: false, error: 'frame is not valid JSON' });
    expect(parseAgentRequest(JSON.stringify({ action: 'ping' }))).toMatchObject({ error: 'request_id must be a non-empty string' });
  });

  it('deduplicates transfer targets and normalises the seen time', () => {
    const transfer = parseAgentRequest(request('transfer_chat', { chat_id: 'c', target: { type: 'agent', ids: ['a', 'a', 'b'] } }));
    expect(transfer.ok && transfer.value.payload).toEqual({ chat_id: 'c', target: { type: 'agent', ids: ['a', 'b'] } });
    const seen = parseAgentRequest(request('mark_events_as_seen', { chat_id: 'c', seen_up_to: '2026-01-01T01:00:00+01:00' }));
    expect(seen.ok && seen.value.payload).toEqual({ chat_id: 'c', seen_up_to: '2026-01-01T00:00:00.000Z' });
  });
});

const chat = {
  id: 'c1',
  users: [
    { id: 'c1', type: 'customer', present: true, last_visit: { visit_id: 1, started_at: 't', last_pages: [{ url: 'http://x/', title: 'X', referrer: '', opened_at: 't' }] } },
    { id: 'alice', type: 'agent', name: 'Alice', present: true },
  ],
  properties: { routing: { status: 'queued', reason: 'billing' } },
  thread: { id: 't1', active: true, created_at: 't', events: [{ id: 'e1', type: 'message', author_id: 'c1', text: 'Hi', created_at: 't', visibility: 'all', seq: 1 }] },
};

const FILE_EVENT = {
  id: 'e9',
  type: 'file',
  author_id: 'c1',
  created_at: 't',
  visibility: 'all',
  name: 'order.png',
  url: 'https://chat.example.com/files/f1?expires=9&signature=s',
  content_type: 'image/png',
  size: 68,
  seq: 4,
};

describe('parseAgentServerFrame', () => {
  it('parses every push of the seed it is given', () => {
    const pushes: [string, unknown][] = [
      ['incoming_chat_thread', { chat }],
      ['incoming_event', { chat_id: 'c1', thread_id: 't1', event: chat.thread.events[0] }],
      ['incoming_event', { chat_id: 'c1', thread_id: 't1', event: FILE_EVENT }],
      ['incoming_typing_indicator', { chat_id: 'c1', thread_id: 't1', typing_indicator: { author_id: 'c1', is_typing: true } }],
      ['incoming_sneak_peek', { chat_id: 'c1', thread_id: 't1', sneak_peek: { author_id: 'c1', text: 'hel' } }],
      ['chat_properties_updated', { chat_id: 'c1', properties: { routing: { status: 'queued' } } }],
      ['chat_user_added', { chat_id: 'c1', thread_id: 't1', user: chat.users[1], user_type: 'agent' }],
      ['chat_user_removed', { chat_id: 'c1', thread_id: 't1', user_id: 'alice', user_type: 'agent' }],
      ['chat_transferred', { chat_id: 'c1', requester_id: 'alice', type: 'agent', ids: ['bob'] }],
      ['thread_closed', { chat_id: 'c1', thread_id: 't1', user_id: 'alice' }],
      ['customer_visit_started', { customer_id: 'c1', visit_id: 1, started_at: 't' }],
      ['customer_visit_ended', { customer_id: 'c1', visit_id: 1, ended_at: 't' }],
      ['customer_page_updated', { customer_id: 'c1', visit_id: 1, opened_at: 't', url: 'http://x/', title: 'X', referrer: '' }],
      ['last_seen_timestamp_updated', { user_id: 'c1', chat_id: 'c1', timestamp: 5 }],
      ['incoming_multicast', { content: { a: 1 }, type: 'sale' }],
      ['agent_disconnected', { reason: 'agent_logged_out_remotely' }],
    ];
    for (const [action, payload] of pushes) {
      const parsed = parseAgentServerFrame(JSON.stringify({ action, type: 'push', payload }));
      expect(parsed, action).toEqual({ ok: true, value: { action, type: 'push', payload } });
    }
  });

  it('reads a file event by its own fields: no text, a name, a url, a type and a size', () => {
    const frame = (event: unknown) => JSON.stringify({ action: 'incoming_event', type: 'push', payload: { chat_id: 'c1', thread_id: 't1', event } });
    expect(parseAgentServerFrame(frame({ ...FILE_EVENT, size: -1 }))).toEqual({ ok: false, error: 'bad frame.payload.event.size' });
    const { url: _url, ...noUrl } = FILE_EVENT;
    expect(parseAgentServerFrame(frame(noUrl))).toEqual({ ok: false, error: 'bad frame.payload.event.url' });
    expect(parseAgentServerFrame(frame({ ...FILE_EVENT, type: 'message' }))).toEqual({ ok: false, error: 'bad frame.payload.event.text' });
    expect(parseAgentServerFrame(frame({ ...FILE_EVENT, type: 'sticker' }))).toEqual({ ok: false, error: 'bad frame.payload.event.type' });
  });

  it('refuses unknown pushes and bad fields, naming the path', () => {
    expect(parseAgentServerFrame(JSON.stringify({ action: 'constructor', type: 'push', payload: {} }))).toEqual({
      ok: false,
      error: 'bad frame.action',
    });
    expect(parseAgentServerFrame(JSON.stringify({ action: 'agent_disconnected', type: 'push', payload: { reason: 'bored' } }))).toEqual({
      ok: false,
      error: 'bad frame.payload.reason',
    });
  });

  it('parses responses and a get_chat payload', () => {
    const frame = parseAgentServerFrame(JSON.stringify({ request_id: 'r', action: 'get_chat', type: 'response', success: true, payload: chat }));
    expect(frame.ok).toBe(true);
    expect(parseAgentChat(chat)).toEqual({ ok: true, value: chat });
    const failure = parseAgentServerFrame(
      JSON.stringify({ request_id: 'r', action: 'login', type: 'response', success: false, error: { type: 'authentication', message: 'no' } }),
    );
    expect(failure).toMatchObject({ ok: true, value: { success: false, error: { type: 'authentication' } } });
  });
});
