import { h } from 'preact';
import type { RichButton, RichContent, RichElement, RichImage } from '../../protocol';
import type { UiStrings } from '../strings';
import { Carousel } from './Carousel';

interface RichProps {
  rich: RichContent;
  /** A postback button picked: its postback and its title. Without it (the agent console) postback buttons are inert. */
  onPick?(value: string, title: string): void;
  strings: UiStrings;
}

/** Lazy, no referrer to the image's host, with its text alternative. */
function Image({ image }: { image: RichImage }) {
  return <img class="rd-img" src={image.url} alt={image.alternative_text} loading="lazy" decoding="async" referrerpolicy="no-referrer" />;
}

/** `url` buttons are links (README.md, "The widget"); `message` buttons answer like quick replies. */
function Buttons({ buttons, onPick }: { buttons: readonly RichButton[]; onPick: RichProps['onPick'] }) {
  return (
    <div class="rd-buttons">
      {buttons.map((button, index) =>
        button.type === 'url' ? (
          <a key={index} class="rd-btn" href={button.value} target="_blank" rel="noopener noreferrer">
            {button.text}
          </a>
        ) : (
          <button key={index} type="button" class="rd-btn" disabled={!onPick} onClick={() => onPick?.(button.value, button.text)}>
            {button.text}
          </button>
        ),
      )}
    </div>
  );
}

function Card({ card, onPick }: { card: RichElement; onPick: RichProps['onPick'] }) {
  return (
    <li class="rd-card">
      {card.image ? <Image image={card.image} /> : null}
      <div class="rd-card-text">
        <div class="rd-card-title">{card.title}</div>
        {card.subtitle ? <div class="rd-card-subtitle">{card.subtitle}</div> : null}
      </div>
      {card.buttons ? <Buttons buttons={card.buttons} onPick={onPick} /> : null}
    </li>
  );
}

/**
 * What comes with a bot message besides its text: its own image and buttons (the element without
 * a title), then its cards. Several cards are a carousel (Carousel.tsx): a list that scrolls
 * sideways with "Previous card" / "Next card" buttons, itself focusable so the arrow keys scroll
 * it, and its buttons reached with Tab.
 */
export function Rich({ rich, onPick, strings }: RichProps) {
  const own = rich.elements.filter((element) => !element.title);
  const cards = rich.elements.filter((element) => element.title);
  return (
    <div class="rd-rich">
      {own.map((element, index) => (
        <div key={index} class="rd-attach">
          {element.image ? <Image image={element.image} /> : null}
          {element.buttons ? <Buttons buttons={element.buttons} onPick={onPick} /> : null}
        </div>
      ))}
      {cards.length > 1 ? (
        <Carousel label={strings.cards} previous={strings.previousCard} next={strings.nextCard}>
          {cards.map((card, index) => (
            <Card key={index} card={card} onPick={onPick} />
          ))}
        </Carousel>
      ) : cards.length === 1 ? (
        <ul class="rd-cards" aria-label={strings.cards}>
          <Card card={cards[0]!} onPick={onPick} />
        </ul>
      ) : null}
    </div>
  );
}
