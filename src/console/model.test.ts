import { describe, expect, it } from 'vitest';
import type { AgentChatSummary, AgentPush } from '../protocol';
import { applyAgentPush, initialState, mentionsUnknownChat, rowOfSummary, type ConsoleState } from './model';

const summary: AgentChatSummary = {
  id: 'c1',
  users: [
    { id: 'c1', type: 'customer', present: true, last_visit: { visit_id: 1, started_at: 't', last_pages: [{ url: 'https://shop.example/', title: 'Shop', referrer: '', opened_at: 't' }] } },
  ],
  properties: { routing: { status: 'queued', reason: 'billing' } },
  last_thread_summary: { id: 't1', active: true, created_at: 't' },
  last_event: { id: 'e1', type: 'message', author_id: 'c1', text: 'human', created_at: 't', visibility: 'all' },
};

const open = (): ConsoleState => ({ ...initialState, connection: 'ready', chats: [rowOfSummary(summary)], openChatId: 'c1' });
const apply = (state: ConsoleState, ...pushes: AgentPush[]) => pushes.reduce(applyAgentPush, state);

describe('the console model', () => {
  it('reads a chat summary: routing, page, last message', () => {
    expect(rowOfSummary(summary)).toEqual({
      id: 'c1',
      threadId: 't1',
      routing: { status: 'queued', reason: 'billing' },
      agents: [],
      present: true,
      page: { url: 'https://shop.example/', title: 'Shop', referrer: '', opened_at: 't' },
      lastText: 'human',
      visitorTyping: false,
    });
  });

  it('follows joins, messages, sneak peeks and pages, and names every author in the open transcript', () => {
    const state = apply(
      open(),
      { action: 'chat_user_added', type: 'push', payload: { chat_id: 'c1', thread_id: 't1', user: { id: 'alice', type: 'agent', name: 'Alice', present: true }, user_type: 'agent' } },
      { action: 'chat_properties_updated', type: 'push', payload: { chat_id: 'c1', properties: { routing: { status: 'assigned' } } } },
      { action: 'incoming_sneak_peek', type: 'push', payload: { chat_id: 'c1', thread_id: 't1', sneak_peek: { author_id: 'c1', text: 'hel' } } },
      { action: 'incoming_event', type: 'push', payload: { chat_id: 'c1', thread_id: 't1', event: { id: 'e2', type: 'message', author_id: 'c1', text: 'hello', created_at: 't', visibility: 'all' } } },
      { action: 'incoming_event', type: 'push', payload: { chat_id: 'c1', thread_id: 't1', event: { id: 'e3', type: 'message', author_id: 'alice', text: 'hi!', created_at: 't', visibility: 'all' } } },
      { action: 'incoming_event', type: 'push', payload: { chat_id: 'c1', thread_id: 't1', event: { id: 'e3', type: 'message', author_id: 'alice', text: 'hi!', created_at: 't', visibility: 'all' } } },
      { action: 'customer_page_updated', type: 'push', payload: { customer_id: 'c1', visit_id: 1, opened_at: 't2', url: 'https://shop.example/cart', title: 'Cart', referrer: '' } },
    );
    const [row] = state.chats;
    expect(row).toMatchObject({ routing: { status: 'assigned' }, agents: [{ id: 'alice', name: 'Alice' }], lastText: 'hi!', page: { url: 'https://shop.example/cart' } });
    expect(row?.sneakPeek).toBeUndefined();
    expect(state.transcript.map((item) => (item.kind === 'message' ? `${item.authorName}: ${item.text}` : item.kind))).toEqual([
      'notice',
      'Visitor: hello',
      'Alice: hi!',
    ]);
  });

  it("shows a visitor's file with the widget's file view: a link (an image inline) with its name and size; the list shows its name", () => {
    const url = 'https://chat.example.com/files/f1?expires=9&signature=s';
    const file = (id: string, name: string, type: string, href = url): AgentPush => ({
      action: 'incoming_event',
      type: 'push',
      payload: { chat_id: 'c1', thread_id: 't1', event: { id, type: 'file', author_id: 'c1', created_at: 't', visibility: 'all', name, url: href, content_type: type, size: 2048 } },
    });
    const state = apply(open(), file('e4', 'order.png', 'image/png'), file('e5', 'invoice.pdf', 'application/pdf'));
    expect(state.chats[0]?.lastText).toBe('invoice.pdf');
    expect(state.transcript).toEqual([
      { kind: 'message', id: 'e4', author: 'agent', authorName: 'Visitor', text: 'order.png', at: 't', file: { name: 'order.png', size: 2048, image: true, url } },
      { kind: 'message', id: 'e5', author: 'agent', authorName: 'Visitor', text: 'invoice.pdf', at: 't', file: { name: 'invoice.pdf', size: 2048, image: false, url } },
    ]);
    // A link that is not http(s) is no link.
    const hostile = apply(open(), file('e6', 'x.pdf', 'application/pdf', 'javascript:alert(1)'));
    expect(hostile.transcript[0]).toMatchObject({ file: { name: 'x.pdf' } });
    expect(hostile.transcript[0]).not.toHaveProperty('file.url');
  });

  it('drops a closed chat from the lists and marks the open transcript ended', () => {
    const state = apply(open(), { action: 'thread_closed', type: 'push', payload: { chat_id: 'c1', thread_id: 't1', user_id: 'alice' } });
    expect(state.chats).toEqual([]);
    expect(state.transcript).toEqual([{ kind: 'ended', id: 'ended-t1' }]);
  });

  it('asks for a refresh when a push names a chat it does not know', () => {
    const visit: AgentPush = { action: 'customer_visit_started', type: 'push', payload: { customer_id: 'c2', visit_id: 1, started_at: 't' } };
    expect(mentionsUnknownChat(open(), visit)).toBe(true);
    expect(mentionsUnknownChat(open(), { ...visit, payload: { ...visit.payload, customer_id: 'c1' } })).toBe(false);
  });
});
