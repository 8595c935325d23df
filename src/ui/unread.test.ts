import { describe, expect, it } from 'vitest';
import type { StoredPush } from '../protocol';
import { botMessage, hostNotification, threadClosed, visitorMessage } from './pushes.fixture';
import { newestIncomingId, unreadCount } from './unread';

const agentMessage = (seq: number, text: string): StoredPush => {
  const push = botMessage(seq, text) as StoredPush & { action: 'incoming_event' };
  return { ...push, payload: { ...push.payload, event: { ...push.payload.event, author: 'agent' as 'bot' } } };
};

describe('unread', () => {
  it('counts the messages from the bot or agents after the last one seen, all of them when none was seen', () => {
    const pushes = [botMessage(1, 'a'), visitorMessage(2, 'hi', 'c-1'), botMessage(3, 'b'), hostNotification(4, 'x'), agentMessage(5, 'c'), threadClosed(6)];
    expect(newestIncomingId(pushes)).toBe('ev-5');
    expect(newestIncomingId([visitorMessage(1, 'hi', 'c-1')])).toBeUndefined();
    expect(unreadCount(pushes, undefined)).toBe(3);
    expect(unreadCount(pushes, 'ev-1')).toBe(2);
    expect(unreadCount(pushes, 'ev-5')).toBe(0);
    // A marker from another conversation: nothing of this one was seen.
    expect(unreadCount(pushes, 'ev-from-an-old-chat')).toBe(3);
  });
});
