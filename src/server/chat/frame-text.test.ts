import { describe, expect, it } from 'vitest';
import type { ServerFrame, StoredPush } from '../../protocol';
import { frameText, payloadText } from './frame-text';
import { messagePush, multicastPush, multicastPushes, notificationPush, postbackPush, threadClosedPush, typingPush } from './pushes';

const AT = '2026-12-03T12:00:00.000Z';

describe('frame text, made once', () => {
  const pushes: Array<[string, StoredPush]> = [
    ['message', messagePush('c1', { id: 'e1', author: 'bot', text: 'hi "there"\u2028', quickReplies: ['a'], customId: 'x' })(7, AT)],
    ['postback', postbackPush('c1', 'e2', { id: 'p', toggled: true }, 'cid', 'Shown')(8, AT)],
    ['notification', notificationPush('c1', 'disable-user-input')(9, AT)],
    ['thread closed', threadClosedPush('c1', 't1')(10, AT)],
    ['multicast', multicastPush('c\u00e9"1', 'sale', { text: 'Huge "sale"', nested: { n: [1, 2, null] } })(11, AT)],
  ];

  it.each(pushes)('is exactly JSON.stringify of a %s push, payload and frame', (_name, push) => {
    expect(payloadText(push)).toBe(JSON.stringify(push.payload));
    expect(frameText(push)).toBe(JSON.stringify(push));
  });

  it('builds a broadcast’s payloads around one serialised content, chat by chat', () => {
    const build = multicastPushes('news', { text: 'x' });
    const a = build('chat-a')(1, AT);
    const b = build('chat-b')(42, AT);
    expect(JSON.parse(frameText(a))).toEqual(a);
    expect(frameText(b)).toBe(JSON.stringify(b));
    expect(JSON.parse(payloadText(b))).toEqual({ chat_id: 'chat-b', seq: 42, type: 'news', content: { text: 'x' } });
  });

  it('serialises other frames as they are, and each frame object once', () => {
    const typing = typingPush('c1', true);
    const response: ServerFrame = { request_id: 'r', action: 'login', type: 'response', success: false, error: { type: 'validation', message: 'no' } };
    expect(frameText(typing)).toBe(JSON.stringify(typing));
    expect(frameText(response)).toBe(JSON.stringify(response));
    // Remembered per object: a later change to the (meant to be immutable) frame is not seen.
    const push = threadClosedPush('c1', 't1')(3, AT);
    const first = frameText(push);
    (push.payload as { thread_id: string }).thread_id = 'changed';
    expect(frameText(push)).toBe(first);
  });
});
