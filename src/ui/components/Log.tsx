import { Component, h } from 'preact';
import type { FileLinks } from '../file';
import type { PendingMessage } from '../state';
import type { UiStrings } from '../strings';
import type { TranscriptItem } from '../transcript';
import { Bubble } from './Bubble';

interface LogProps {
  items: readonly TranscriptItem[];
  pending: readonly PendingMessage[];
  /** Whether the panel is shown: a hidden log cannot be scrolled. */
  shown: boolean;
  strings: UiStrings;
  lang: string;
  /** A postback button picked in bot message `eventId` (its postback, its title). */
  onPick?(eventId: string, value: string, title: string): void;
  /** Renews files' links when their signature ran out (the widget's; FileView.tsx). */
  links?: FileLinks;
}

/** The line of a notice: "Alice joined", "Alice left", that a person will join, or an announcement's text. */
function noticeText(notice: 'joined' | 'left' | 'queued' | 'announcement', name: string | undefined, strings: UiStrings): string {
  if (notice === 'queued') return strings.handoffQueued;
  if (notice === 'announcement') return name ?? '';
  return (notice === 'joined' ? strings.agentJoined : strings.agentLeft).replace('{name}', name ?? '');
}

/** How close to the bottom (px) still counts as "at the newest message". */
const NEAR_BOTTOM = 40;

/**
 * The transcript (`role="log"`, a polite live region: screen readers announce new messages).
 * It follows the newest message unless the visitor scrolled up to read; then new messages wait
 * behind a "New messages" button. A message the visitor sends always scrolls down.
 * A class component: the widget does without preact/hooks (about 1 KB gzip).
 */
export class Log extends Component<LogProps, { behind: boolean }> {
  private el: HTMLDivElement | null = null;
  private following = true;
  private setEl = (el: HTMLDivElement | null) => void (this.el = el);

  private toBottom = () => {
    if (this.el) this.el.scrollTop = this.el.scrollHeight;
    this.following = true;
    this.setState({ behind: false });
  };

  override componentDidMount() {
    if (this.props.shown) this.toBottom();
  }

  override componentDidUpdate(previous: LogProps) {
    const { items, pending, shown } = this.props;
    if (!shown || (items === previous.items && pending.length === previous.pending.length && shown === previous.shown)) return;
    if (this.following || pending.length > previous.pending.length) this.toBottom();
    else if (!this.state.behind) this.setState({ behind: true });
  }

  override render({ items, pending, strings, lang, onPick, links }: LogProps, { behind }: { behind: boolean }) {
    return (
      <div class="rd-body">
        <div
          class="rd-log"
          ref={this.setEl}
          role="log"
          aria-live="polite"
          aria-label={strings.transcript}
          onScroll={(event) => {
            const el = event.currentTarget;
            this.following = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
            if (this.following && behind) this.setState({ behind: false });
          }}
        >
          {items.map((item) =>
            item.kind === 'ended' ? (
              <div key={item.id} class="rd-ended">
                {strings.conversationEnded}
              </div>
            ) : item.kind === 'notice' ? (
              <div key={item.id} class="rd-notice">
                {noticeText(item.notice, item.name, strings)}
              </div>
            ) : (
              <Bubble key={item.id} {...item} links={links} strings={strings} lang={lang} onPick={onPick && ((value, title) => onPick(item.id, value, title))} />
            ),
          )}
          {pending.map((item) => (
            <Bubble key={`pending:${item.customId}`} {...item} author="visitor" pending strings={strings} lang={lang} />
          ))}
        </div>
        {behind ? (
          <button type="button" class="rd-jump" onClick={this.toBottom}>
            {strings.newMessages}
          </button>
        ) : null}
      </div>
    );
  }
}
