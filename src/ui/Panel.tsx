import { h } from 'preact';
import { Composer } from './components/Composer';
import { Header } from './components/Header';
import { Log } from './components/Log';
import { QuickReplies } from './components/QuickReplies';
import { PANEL_ID } from './roundel';
import type { UiState, UploadRefusal } from './state';
import { humanSize, type FileLinks } from './file';
import { FILE_BYTES } from '../protocol';
import type { UiStrings } from './strings';
import { ENGLISH, pickLanguage } from './strings';
import { inputDisabledAfter } from './input-state';
import { activeQuickReplies, transcriptOf, visiblePending } from './transcript';

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
  /** The composer starts disabled (`textInputDisabled`); the bot's input notifications change that (input-state.ts). */
  textInputDisabled: boolean;
  /** The host page's header title, over the endpoint's. Default: the endpoint's, in `lang` when it translates it. */
  title?: string;
}

/** What the visitor asked for. The UI only raises intents; the api layer acts on them. */
export interface UiIntents {
  onToggle(): void;
  onSend(text: string): void;
  /** A quick reply (its text) or a postback button (its postback and its title) picked in bot message `eventId`. */
  onPickReply(eventId: string, text: string, title?: string): void;
  /** The composer's text changed (agents see it as a sneak peek). */
  onDraft?(text: string): void;
  /** A file the visitor picked to send (the composer's "Attach file"). */
  onAttach?(file: File): void;
  /** Renews the links of files shown whose signature ran out (FileView.tsx). */
  fileLinks?: FileLinks;
  /** A render error caught at the root (for the debug log). */
  onError?(error: unknown): void;
}

interface PanelProps {
  state: UiState;
  display: DisplayOptions;
  intents: UiIntents;
  /** Whether the header has a "Close chat" button (not with `alwaysOpen` or `container`; CSS shows it where no roundel can close). */
  closable: boolean;
  /** After the header's close button closed the panel: focus goes back to the roundel. */
  onClosed(): void;
}

/** The panel for one state: header, banner, log, typing, replies, composer. The roundel is the shell's (roundel.ts). */
export function Panel({ state, display, intents, closable, onClosed }: PanelProps) {
  const strings = state.strings ?? ENGLISH;
  const shown = display.inline || display.alwaysOpen || state.open;
  const transcript = transcriptOf(state.pushes);
  const pending = visiblePending(transcript, state.uploads.length > 0 ? [...state.pending, ...state.uploads] : state.pending);
  const quick = activeQuickReplies(transcript, pending);
  const inputDisabled = inputDisabledAfter(state.pushes, display.textInputDisabled);
  const { settings } = state;
  const title = display.title ?? pickLanguage(settings.titles, display.lang) ?? (settings.title || strings.defaultTitle);
  const subtitle = pickLanguage(settings.subtitles, display.lang) ?? settings.subtitle;

  return (
    <section id={PANEL_ID} class="rd-panel" aria-label={title} hidden={!shown}>
      {display.displayHeader || closable ? (
        <Header
          title={display.displayHeader ? title : undefined}
          subtitle={display.displayHeader ? subtitle : undefined}
          closeLabel={closable ? strings.closeChat : undefined}
          onClose={() => {
            intents.onToggle();
            onClosed();
          }}
        />
      ) : null}
      {/* Always in the tree, so the text that appears in it is announced. */}
      <div class="rd-banner" role="status">
        {state.connection === 'reconnecting' ? strings.reconnecting : state.connection === 'closed' ? strings.cannotConnect : ''}
      </div>
      <Log items={transcript} pending={pending} shown={shown} strings={strings} lang={display.lang} onPick={intents.onPickReply} links={intents.fileLinks} />
      {state.typing ? (
        <div class="rd-typing">
          {typeof state.typing === 'string' ? (
            <span class="rd-typist">{strings.agentTyping.replace('{name}', state.typing)}</span>
          ) : (
            <span class="rd-sr">{strings.typing}</span>
          )}
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
      {/* Always in the tree, so a refusal that appears in it is announced. */}
      <div class="rd-upload-error" role="alert">
        {state.uploadRefusal ? refusalText(state.uploadRefusal, strings, display.lang) : ''}
      </div>
      <Composer disabled={inputDisabled} strings={strings} onSend={intents.onSend} onDraft={intents.onDraft} onAttach={intents.onAttach} />
    </section>
  );
}

/** What the panel says about a file that was not sent. */
function refusalText({ reason, name }: UploadRefusal, strings: UiStrings, lang: string): string {
  const template = reason === 'tooLarge' ? strings.fileTooLarge : reason === 'type' ? strings.fileTypeRefused : strings.fileRefused;
  return template.replace('{name}', name).replace('{size}', humanSize(FILE_BYTES, lang));
}
