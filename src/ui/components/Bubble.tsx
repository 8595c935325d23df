import { h } from 'preact';
import { shortTime, splitLinks } from '../format';
import type { UiStrings } from '../strings';

interface BubbleProps {
  author: 'bot' | 'visitor' | 'agent';
  /** An agent's name: shown above its message. */
  authorName?: string;
  text: string;
  /** When it was stored or sent (ISO 8601). */
  at: string;
  /** A visitor message the server has not accepted yet. */
  pending?: boolean;
  strings: UiStrings;
  lang: string;
}

/**
 * One message with its time, and for the visitor's own messages "Sending…" / "Sent". The text is
 * Preact text children and http(s) links are `<a>` elements built from {@link splitLinks}, so bot
 * and host strings never become markup (CONTRACT.md §3); links open in a new tab without giving
 * it `window.opener` or a referrer.
 */
export function Bubble({ author, authorName, text, at, pending = false, strings, lang }: BubbleProps) {
  return (
    <div class={`rd-msg rd-${author === 'agent' ? 'bot rd-agent' : author}`}>
      {author === 'agent' ? (
        <span class="rd-name">{authorName}</span>
      ) : (
        <span class="rd-sr">{author === 'bot' ? strings.botSaid : strings.youSaid} </span>
      )}
      <div class="rd-bubble">
        {splitLinks(text).map((part) =>
          typeof part === 'string' ? part : (
            <a href={part.href} target="_blank" rel="noopener noreferrer">
              {part.text}
            </a>
          ),
        )}
      </div>
      <div class="rd-meta">
        <time dateTime={at}>{shortTime(at, lang)}</time>
        {author === 'visitor' ? <span class="rd-state">{pending ? strings.sending : strings.sent}</span> : null}
      </div>
    </div>
  );
}
