import { describe, expect, it } from 'vitest';
import { botMessage, hostNotification, postback, threadClosed, visitorMessage } from './pushes.fixture';
import { activeQuickReplies, applyPush, transcriptFromHistory, visiblePending } from './transcript';

describe('transcript', () => {
  it('builds bot and visitor messages, postbacks as visitor words, and the end of a conversation', () => {
    const items = transcriptFromHistory([
      botMessage(1, 'Hi! Pick one', ['Yes', 'No']),
      postback(2, 'ev-1', 'Yes', 'c-1'),
      visitorMessage(3, 'thanks', 'c-2'),
      hostNotification(4, 'hello host'),
      threadClosed(5),
    ]);
    expect(items).toEqual([
      { kind: 'message', id: 'ev-1', author: 'bot', text: 'Hi! Pick one', quickReplies: ['Yes', 'No'], customId: undefined },
      { kind: 'message', id: 'postback-2', author: 'visitor', text: 'Yes', customId: 'c-1' },
      { kind: 'message', id: 'ev-3', author: 'visitor', text: 'thanks', quickReplies: undefined, customId: 'c-2' },
      { kind: 'ended', id: 'ended-5' },
    ]);
  });

  it('returns the same array for a push that shows nothing', () => {
    const items = transcriptFromHistory([botMessage(1, 'a')]);
    expect(applyPush(items, hostNotification(2, 'x'))).toBe(items);
  });

  it('hides a pending item once its echo (same custom id) is in the transcript', () => {
    const items = transcriptFromHistory([visitorMessage(1, 'hi', 'c-1')]);
    const pending = [
      { customId: 'c-1', text: 'hi' },
      { customId: 'c-2', text: 'again' },
    ];
    expect(visiblePending(items, pending)).toEqual([{ customId: 'c-2', text: 'again' }]);
  });

  it('offers the quick replies of the newest bot message that has them until the visitor speaks', () => {
    const offered = transcriptFromHistory([botMessage(1, 'old', ['A']), botMessage(2, 'new', ['B', 'C']), botMessage(3, 'more')]);
    expect(activeQuickReplies(offered, [])).toEqual({ eventId: 'ev-2', replies: ['B', 'C'] });
    expect(activeQuickReplies(offered, [{ customId: 'c-1', text: 'typed' }])).toBeUndefined();
    expect(activeQuickReplies(applyPush(offered, postback(4, 'ev-2', 'B')), [])).toBeUndefined();
    expect(activeQuickReplies(applyPush(offered, visitorMessage(4, 'typed', 'c-1')), [])).toBeUndefined();
    expect(activeQuickReplies(applyPush(offered, threadClosed(4)), [])).toBeUndefined();
  });
});
