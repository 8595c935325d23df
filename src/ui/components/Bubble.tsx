import type { UiStrings } from '../strings';

interface BubbleProps {
  author: 'bot' | 'visitor';
  text: string;
  pending?: boolean;
  strings: UiStrings;
}

/**
 * One message. The text is a Preact text child, so it is always rendered as text: bot and host
 * strings never become markup (CONTRACT.md §3).
 */
export function Bubble({ author, text, pending = false, strings }: BubbleProps) {
  return (
    <div class={`rd-msg rd-${author}${pending ? ' rd-pending' : ''}`}>
      <span class="rd-sr">{author === 'bot' ? strings.botSaid : strings.youSaid} </span>
      <div class="rd-bubble">{text}</div>
      {pending ? <div class="rd-status">{strings.sending}</div> : null}
    </div>
  );
}
