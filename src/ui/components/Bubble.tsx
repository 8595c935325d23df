import { h } from 'preact';
import type { RichContent } from '../../protocol';
import type { FileLinks, ShownFile } from '../file';
import { shortTime, splitLinks } from '../format';
import { FileView } from './FileView';
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
  /** A file the visitor sent: shown instead of the text (which is its name). */
  file?: ShownFile;
  /** Renews the file's link when its signature ran out (FileView.tsx). */
  links?: FileLinks;
  /** A file still being sent: the share of it sent, 0 to 1. */
  progress?: number;
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
export function Bubble({ author, authorName, text, at, pending = false, rich, file, links, progress, onPick, strings, lang }: BubbleProps) {
  return (
    <div class={`rd-msg rd-${author === 'agent' ? 'bot rd-agent' : author}`}>
      {author === 'agent' ? (
        <span class="rd-name">{authorName}</span>
      ) : (
        <span class="rd-sr">{author === 'bot' ? strings.botSaid : strings.youSaid} </span>
      )}
      <div class={file ? 'rd-bubble rd-has-file' : 'rd-bubble'}>
        {file ? (
          <FileView file={file} lang={lang} links={links} />
        ) : author === 'visitor'
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
        {author === 'visitor' ? (
          <span class="rd-state">
            {pending ? (progress === undefined ? strings.sending : `${strings.sending} ${Math.round(progress * 100)}%`) : strings.sent}
          </span>
        ) : null}
      </div>
    </div>
  );
}
