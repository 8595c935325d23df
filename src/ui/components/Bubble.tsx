import { h } from 'preact';
import type { RichContent } from '../../protocol';
import { shortTime, splitLinks } from '../format';
import type { UiStrings } from '../strings';
import { Markdown } from './Markdown';
import { Rich } from './Rich';

interface BubbleProps {
  author: 'bot' | 'visitor' | 'agent';
  /** An agent's name: shown above its message. */
  authorName?: string;
  text: string;
  /** When it was stored or sent (ISO 8601). */
  at: string;
  /** A visitor message the server has not accepted yet. */
  pending?: boolean;
  /** Buttons, an image or cards with a bot message. */
  rich?: RichContent;
  /** A postback button of this message picked. */
  onPick?(value: string, title: string): void;
  strings: UiStrings;
  lang: string;
}

/**
 * One message with its time, and for the visitor's own messages "Sending…" / "Sent". The text is
 * built as nodes, never markup (README.md, "The widget"): a bot's or an agent's in the safe Markdown subset
 * (Markdown.tsx), a visitor's as typed with its http(s) links as `<a>` elements ({@link splitLinks});
 * links open in a new tab without giving it `window.opener` or a referrer. Rich content follows the text.
 */
export function Bubble({ author, authorName, text, at, pending = false, rich, onPick, strings, lang }: BubbleProps) {
  return (
    <div class={`rd-msg rd-${author === 'agent' ? 'bot rd-agent' : author}`}>
      {author === 'agent' ? (
        <span class="rd-name">{authorName}</span>
      ) : (
        <span class="rd-sr">{author === 'bot' ? strings.botSaid : strings.youSaid} </span>
      )}
      <div class="rd-bubble">
        {author === 'visitor'
          ? splitLinks(text).map((part) =>
              typeof part === 'string' ? part : (
                <a href={part.href} target="_blank" rel="noopener noreferrer">
                  {part.text}
                </a>
              ),
            )
          : <Markdown text={text} />}
      </div>
      {rich ? <Rich rich={rich} onPick={onPick} strings={strings} /> : null}
      <div class="rd-meta">
        <time dateTime={at}>{shortTime(at, lang)}</time>
        {author === 'visitor' ? <span class="rd-state">{pending ? strings.sending : strings.sent}</span> : null}
      </div>
    </div>
  );
}
