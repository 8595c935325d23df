import { Composer } from './components/Composer';
import { Header } from './components/Header';
import { Log } from './components/Log';
import { QuickReplies } from './components/QuickReplies';
import { Roundel } from './components/Roundel';
import type { UiState } from './state';
import type { UiStrings } from './strings';
import { activeQuickReplies, visiblePending } from './transcript';

/** How the widget is laid out; fixed for the life of a mount. */
export interface DisplayOptions {
  /** Rendered inside a host-page element (the `container` option): inline, always open, no roundel. */
  inline: boolean;
  /** Permanently open, no roundel. Default false. */
  alwaysOpen: boolean;
  /** Show the roundel in floating mode. Default true. */
  displayRoundel: boolean;
  /** Show the header (title, subtitle). Default true. */
  displayHeader: boolean;
  /** Text direction; `rtl` mirrors the layout and moves the floating widget to the left. Default `ltr`. */
  dir: 'ltr' | 'rtl';
  /** BCP 47 tag: picks the strings table, formats times and sets `lang`. */
  lang: string;
}

/** What the visitor asked for. The UI only raises intents; the api layer acts on them. */
export interface UiIntents {
  onToggle(): void;
  onSend(text: string): void;
  onPickReply(eventId: string, text: string): void;
  /** The composer's text changed (agents see it as a sneak peek). */
  onDraft?(text: string): void;
  /** A render error caught at the root (for the debug log). */
  onError?(error: unknown): void;
}

interface AppProps {
  state: UiState;
  display: DisplayOptions;
  /** What to render until `state.strings` arrives. */
  strings: UiStrings;
  intents: UiIntents;
}

const PANEL_ID = 'rd-panel';

/** The whole widget for one state: roundel, panel (header, banner, log, typing, replies, composer). */
export function App({ state, display, strings: builtIn, intents }: AppProps) {
  const strings = state.strings ?? builtIn;
  const forcedOpen = display.inline || display.alwaysOpen;
  const shown = forcedOpen || state.open;
  const withRoundel = !forcedOpen && display.displayRoundel;
  const pending = visiblePending(state.transcript, state.pending);
  const quick = activeQuickReplies(state.transcript, pending);
  const title = state.settings.title || strings.defaultTitle;

  // The store renders synchronously, so right after an intent the DOM shows its outcome. Focus
  // moves only on the visitor's own gestures: the host page's open() must not steal focus.
  const toggle = (event: Event, focus?: string) => {
    const root = (event.currentTarget as Element).closest('.rd-root');
    intents.onToggle();
    if (focus) root?.querySelector<HTMLElement>(focus)?.focus();
  };

  return (
    <div
      class={`rd-root ${display.inline ? 'rd-inline' : 'rd-floating'}${shown ? ' rd-open' : ''}`}
      dir={display.dir}
      lang={display.lang}
      onKeyDown={(event) => {
        // Escape anywhere in the widget (the panel or the roundel itself) closes it, focus back on the roundel.
        if (event.key === 'Escape' && withRoundel && state.open) toggle(event, '.rd-roundel');
      }}
    >
      <section id={PANEL_ID} class="rd-panel" aria-label={title} hidden={!shown}>
        {display.displayHeader ? <Header title={title} subtitle={state.settings.subtitle} /> : null}
        {/* Always in the tree, so the text that appears in it is announced. */}
        <div class="rd-banner" role="status">
          {state.connection === 'reconnecting' ? strings.reconnecting : ''}
        </div>
        <Log items={state.transcript} pending={pending} shown={shown} strings={strings} lang={display.lang} />
        {state.typing ? (
          <div class="rd-typing">
            <span class="rd-sr">{strings.typing}</span>
            <span class="rd-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
          </div>
        ) : null}
        {quick ? (
          <QuickReplies replies={quick.replies} strings={strings} onPick={(text) => intents.onPickReply(quick.eventId, text)} />
        ) : null}
        <Composer disabled={state.inputDisabled} strings={strings} onSend={intents.onSend} onDraft={intents.onDraft} />
      </section>
      {withRoundel ? (
        <Roundel open={state.open} unread={state.unread} strings={strings} controls={PANEL_ID} onToggle={(event) => toggle(event, state.open ? undefined : '.rd-input')} />
      ) : null}
    </div>
  );
}
