import { describe, expect, it } from 'vitest';
import { fromInboxRow, toInboxRow, type ChatInput } from './inbound';

const inputs: ChatInput[] = [
  { kind: 'start' },
  { kind: 'message', text: 'hello', eventId: 'e1', customId: 'c1' },
  { kind: 'message', text: 'no custom id', eventId: 'e2' },
  { kind: 'postback', eventId: 'e3', postback: { id: 'Yes', toggled: false }, customId: 'c3' },
  { kind: 'page_event', alias: 'cart', body: { items: 2 }, customId: 'c4' },
  { kind: 'page_event', alias: 'bare' },
  { kind: 'pushback', pushbackId: 'p1', event: 'offer', eventData: { text: 'hi' } },
  { kind: 'external', event: 'news', data: { n: 1 }, multicast: true },
  { kind: 'external', event: 'news', data: {}, multicast: false },
];

describe('inbox rows', () => {
  it.each(inputs.map((input) => [input.kind, input] as const))('round-trips a %s', (_, input) => {
    const row = toInboxRow(input);
    // Through JSON, as the store keeps it.
    expect(fromInboxRow(row.kind, JSON.parse(JSON.stringify(row.payload)), row.customId)).toEqual(input);
  });

  it('reads the rows earlier releases wrote', () => {
    expect(fromInboxRow('event', { event: 'offer', eventData: { a: 1 }, source: 'pushback', pushbackId: 'p' }, null)).toEqual({
      kind: 'pushback',
      pushbackId: 'p',
      event: 'offer',
      eventData: { a: 1 },
    });
    expect(fromInboxRow('event', { event: 'x', eventData: {}, source: 'external', multicast: true }, null)).toMatchObject({
      kind: 'external',
      multicast: true,
    });
    expect(fromInboxRow('postback', { text: 'Yes', event_id: 'e', toggled: true }, 'c')).toEqual({
      kind: 'postback',
      eventId: 'e',
      postback: { id: 'Yes', toggled: true },
      customId: 'c',
    });
  });

  it('turns a damaged row into a well-typed input instead of throwing', () => {
    expect(fromInboxRow('message', { text: 42 }, null)).toEqual({ kind: 'message', text: '', eventId: '' });
    expect(fromInboxRow('mystery', { eventData: 'nope' }, null)).toEqual({ kind: 'external', event: '', data: {}, multicast: false });
    expect(fromInboxRow('page_event', { alias: 'a', body: [1] }, null)).toEqual({ kind: 'page_event', alias: 'a' });
  });
});
