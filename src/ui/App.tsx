import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { Bubble } from './components/Bubble';
import { Composer } from './components/Composer';
import { Header } from './components/Header';
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
  /** Text direction; `rtl` also moves the floating widget to the left. Default `ltr`. */
  dir: 'ltr' | 'rtl';
  /** BCP 47 tag: picks the strings table and sets `lang`. */
  lang: string;
}

/** What the visitor asked for. The UI only raises intents; the api layer acts on them. */
export interface UiIntents {
  onToggle(): void;
  onSend(text: string): void;
  onPickReply(eventId: string, text: string): void;
  /** A render error caught at the root (for the debug log). */
  onError?(error: unknown): void;
}

interface AppProps {
  state: UiState;
  display: DisplayOptions;
  strings: UiStrings;
  intents: UiIntents;
}

const PANEL_ID = 'rd-panel';

/** The whole widget for one state: roundel, panel (header, banner, log, typing, replies, composer). */
export function App({ state, display, strings, intents }: AppProps) {
  const forcedOpen = display.inline || display.alwaysOpen;
  const shown = forcedOpen || state.open;
  const withRoundel = !forcedOpen && display.displayRoundel;
  const pending = visiblePending(state.transcript, state.pending);
  const quick = activeQuickReplies(state.transcript, pending);
  const title = state.settings.title || strings.defaultTitle;

  const logRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const roundelRef = useRef<HTMLButtonElement>(null);
  // Focus moves into the panel only when the visitor opened it; the host page's open() must not steal focus.
  const focusOnOpen = useRef(false);

  useLayoutEffect(() => {
    const el = logRef.current;
    if (el && shown) el.scrollTop = el.scrollHeight;
  }, [shown, state.transcript, pending.length]);

  useEffect(() => {
    // Only a shown panel consumes the flag: Preact may run a stale effect of the closed panel
    // right before the re-render that opens it.
    if (!shown) return;
    if (focusOnOpen.current) inputRef.current?.focus();
    focusOnOpen.current = false;
  }, [shown]);

  const toggle = () => {
    focusOnOpen.current = !state.open;
    intents.onToggle();
  };

  return (
    <div class={`rd-root ${display.inline ? 'rd-inline' : 'rd-floating'}`} dir={display.dir} lang={display.lang}>
      <section
        id={PANEL_ID}
        class="rd-panel"
        aria-label={title}
        hidden={!shown}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && withRoundel && state.open) {
            intents.onToggle();
            roundelRef.current?.focus();
          }
        }}
      >
        {display.displayHeader ? <Header title={title} subtitle={state.settings.subtitle} /> : null}
        {state.connection === 'reconnecting' ? (
          <div class="rd-banner" role="status">
            {strings.reconnecting}
          </div>
        ) : null}
        {/* The log is the scroller and fills the panel: typing and replies sit by the composer. */}
        <div class="rd-log" ref={logRef} role="log" aria-live="polite" aria-label={strings.transcript}>
          {state.transcript.map((item) =>
            item.kind === 'ended' ? (
              <div key={item.id} class="rd-ended">
                {strings.conversationEnded}
              </div>
            ) : (
              <Bubble key={item.id} author={item.author} text={item.text} strings={strings} />
            ),
          )}
          {pending.map((item) => (
            <Bubble key={`pending:${item.customId}`} author="visitor" text={item.text} pending strings={strings} />
          ))}
        </div>
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
        <Composer disabled={state.inputDisabled} strings={strings} inputRef={inputRef} onSend={intents.onSend} />
      </section>
      {withRoundel ? (
        <Roundel open={state.open} strings={strings} controls={PANEL_ID} buttonRef={roundelRef} onToggle={toggle} />
      ) : null}
    </div>
  );
}
