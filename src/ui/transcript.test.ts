import { describe, expect, it } from 'vitest';
import { botMessage, hostNotification, postback, threadClosed, visitorMessage } from './pushes.fixture';
import { activeQuickReplies, applyPush, transcriptFromHistory, transcriptOf, visiblePending } from './transcript';

const AT = '2025-01-01T00:00:00.000Z';

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
      { kind: 'message', id: 'ev-1', author: 'bot', text: 'Hi! Pick one', at: AT, quickReplies: ['Yes', 'No'], customId: undefined },
      { kind: 'message', id: 'postback-2', author: 'visitor', text: 'Yes', at: AT, customId: 'c-1' },
      { kind: 'message', id: 'ev-3', author: 'visitor', text: 'thanks', at: AT, quickReplies: undefined, customId: 'c-2' },
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
      { customId: 'c-1', text: 'hi', at: AT },
      { customId: 'c-2', text: 'again', at: AT },
    ];
    expect(visiblePending(items, pending)).toEqual([{ customId: 'c-2', text: 'again', at: AT }]);
  });

  it('offers the quick replies of the newest bot message that has them until the visitor speaks', () => {
    const offered = transcriptFromHistory([botMessage(1, 'old', ['A']), botMessage(2, 'new', ['B', 'C']), botMessage(3, 'more')]);
    expect(activeQuickReplies(offered, [])).toEqual({ eventId: 'ev-2', replies: ['B', 'C'] });
    expect(activeQuickReplies(offered, [{ customId: 'c-1', text: 'typed', at: AT }])).toBeUndefined();
    expect(activeQuickReplies(applyPush(offered, postback(4, 'ev-2', 'B')), [])).toBeUndefined();
    expect(activeQuickReplies(applyPush(offered, visitorMessage(4, 'typed', 'c-1')), [])).toBeUndefined();
    expect(activeQuickReplies(applyPush(offered, threadClosed(4)), [])).toBeUndefined();
  });

  it('transcriptOf applies only the pushes appended since the last call, and starts over for another array', () => {
    const first = [botMessage(1, 'a'), botMessage(2, 'b')];
    const items = transcriptOf(first);
    const appended = transcriptOf([...first, visitorMessage(3, 'hi', 'c-1')]);
    expect(appended.slice(0, 2)).toEqual(items);
    expect(appended[0]).toBe(items[0]);
    expect(appended.map((item) => (item.kind === 'message' ? item.text : item.kind))).toEqual(['a', 'b', 'hi']);
    expect(transcriptOf([botMessage(1, 'other')]).map((item) => (item.kind === 'message' ? item.text : ''))).toEqual(['other']);
  });
});
