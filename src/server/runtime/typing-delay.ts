/**
 * The bot's typing indicator for one handler call, shown only when the handler takes longer than
 * a glance: a reply that comes within {@link TYPING_DELAY_MS} needs no "typing…" before it, and
 * skipping it saves the two frames (on and off) per turn that most turns would otherwise send.
 */

/** A handler answering faster than this shows no typing indicator. */
export const TYPING_DELAY_MS = 300;

export class TypingDelay {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private done = false;

  /** @param show sends the indicator (true) or hides it (false); must not throw */
  constructor(
    private readonly show: (isTyping: boolean) => void,
    private readonly delayMs = TYPING_DELAY_MS,
  ) {}

  /** The handler started: show the indicator if it is still running after the delay. */
  start(): void {
    if (this.done || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.now();
    }, this.delayMs);
  }

  /** Show it now (the bot asked with `ctx.typing()`). */
  now(): void {
    if (this.done) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.shown = true;
    this.show(true);
  }

  /** The handler ended: hide the indicator if it was shown; later calls do nothing. */
  stop(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.shown) this.show(false);
  }
}
