import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_DELAY_MS, TypingDelay } from './typing-delay';

let sent: boolean[];
let typing: TypingDelay;

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  typing = new TypingDelay((on) => sent.push(on));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TypingDelay', () => {
  it('sends nothing for a handler that ends within the delay', () => {
    typing.start();
    vi.advanceTimersByTime(TYPING_DELAY_MS - 1);
    typing.stop();
    vi.advanceTimersByTime(10 * TYPING_DELAY_MS);
    expect(sent).toEqual([]);
  });

  it('shows the indicator once the delay passed and hides it at the end', () => {
    typing.start();
    vi.advanceTimersByTime(TYPING_DELAY_MS);
    expect(sent).toEqual([true]);
    typing.stop();
    expect(sent).toEqual([true, false]);
  });

  it('shows it at once when the bot asks, and never after the end', () => {
    typing.start();
    typing.now();
    typing.now();
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(TYPING_DELAY_MS);
    expect(sent).toEqual([true, true]);
    typing.stop();
    typing.now();
    typing.start();
    vi.advanceTimersByTime(TYPING_DELAY_MS);
    expect(sent).toEqual([true, true, false]);
  });
});
