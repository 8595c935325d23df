import { Component, h, type ComponentChildren } from 'preact';

interface CarouselProps {
  /** The list's accessible name ("Cards"). */
  label: string;
  previous: string;
  next: string;
  /** The cards, as `<li>` elements. */
  children: ComponentChildren;
}

/**
 * Several cards: a list that scrolls sideways between a "Previous card" and a "Next card" button
 * (WAI-ARIA APG carousel, without auto-rotation). The buttons move one card at a time and are
 * disabled at the ends; the list itself takes focus, so the arrow keys scroll it too, and Tab
 * reaches each card's buttons. The buttons' `disabled` is set from the list's scroll position
 * (no render reads it), so re-renders of the transcript leave it alone.
 */
export class Carousel extends Component<CarouselProps> {
  #list: HTMLUListElement | null = null;
  #previous: HTMLButtonElement | null = null;
  #next: HTMLButtonElement | null = null;
  #resize: ResizeObserver | undefined;

  override componentDidMount(): void {
    const list = this.#list;
    if (!list) return;
    list.addEventListener('scroll', this.#update, { passive: true });
    // Images loading and the panel resizing change how far the list can scroll.
    const Observer = list.ownerDocument.defaultView?.ResizeObserver;
    if (Observer) {
      this.#resize = new Observer(this.#update);
      this.#resize.observe(list);
    }
    this.#update();
  }

  override componentWillUnmount(): void {
    this.#list?.removeEventListener('scroll', this.#update);
    this.#resize?.disconnect();
  }

  /** Whether the list is scrolled to its start or end (`scrollLeft` runs negative in right-to-left). */
  #update = (): void => {
    const list = this.#list;
    const previous = this.#previous;
    const next = this.#next;
    if (!list || !previous || !next) return;
    const offset = Math.abs(list.scrollLeft);
    const atStart = offset <= 1;
    const atEnd = offset >= list.scrollWidth - list.clientWidth - 1;
    // Enabled first: a button about to be disabled while focused hands focus to the other one
    // (or the list), so the keyboard user is not dropped to the top of the page.
    if (!atStart) previous.disabled = false;
    if (!atEnd) next.disabled = false;
    const focused = (list.getRootNode() as Document | ShadowRoot).activeElement;
    if (atStart && focused === previous) (atEnd ? list : next).focus();
    if (atEnd && focused === next) (atStart ? list : previous).focus();
    previous.disabled = atStart;
    next.disabled = atEnd;
  };

  /** Scrolls one card towards the end (`1`) or the start (`-1`), whichever the reading direction. */
  #step(direction: 1 | -1): void {
    const list = this.#list;
    const card = list?.firstElementChild as HTMLElement | null | undefined;
    if (!list || !card) return;
    const view = list.ownerDocument.defaultView;
    const gap = parseFloat(view?.getComputedStyle(list).columnGap ?? '') || 0;
    const rtl = view?.getComputedStyle(list).direction === 'rtl';
    list.scrollBy({ left: direction * (rtl ? -1 : 1) * (card.offsetWidth + gap) });
  }

  // Stable callbacks: Preact calls a ref or handler again only when it changes.
  #listRef = (el: HTMLUListElement | null) => {
    this.#list = el;
  };
  #previousRef = (el: HTMLButtonElement | null) => {
    this.#previous = el;
  };
  #nextRef = (el: HTMLButtonElement | null) => {
    this.#next = el;
  };
  #back = () => this.#step(-1);
  #forward = () => this.#step(1);

  override render({ label, previous, next, children }: CarouselProps) {
    return (
      <div class="rd-carousel">
        <ul class="rd-cards" aria-label={label} tabIndex={0} ref={this.#listRef}>
          {children}
        </ul>
        {/* Under the cards, never over them; Tab reaches them after the cards' own buttons. */}
        <div class="rd-pager">
          <button type="button" class="rd-nav" aria-label={previous} ref={this.#previousRef} onClick={this.#back}>
            <span aria-hidden="true">‹</span>
          </button>
          <button type="button" class="rd-nav" aria-label={next} ref={this.#nextRef} onClick={this.#forward}>
            <span aria-hidden="true">›</span>
          </button>
        </div>
      </div>
    );
  }
}
