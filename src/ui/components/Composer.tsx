import { h } from 'preact';
import { TEXT_CHARS } from '../../protocol';
import type { UiStrings } from '../strings';

interface ComposerProps {
  disabled: boolean;
  strings: UiStrings;
  onSend(text: string): void;
  /** The text changed (typed, or emptied by a send). */
  onDraft?(text: string): void;
  /** A file the visitor picked to send; without it there is no "Attach file" button. */
  onAttach?(file: File): void;
}

/** Sends the textbox's trimmed text (nothing when blank or disabled) and empties it. */
function submit(box: HTMLTextAreaElement | null | undefined, disabled: boolean, onSend: (text: string) => void, onDraft?: (text: string) => void): void {
  const text = box?.value.trim();
  if (!box || disabled || !text) return;
  onSend(text);
  box.value = '';
  onDraft?.('');
}

/** Whether a drag carries files (not text or a link, which the textbox takes as usual). */
const carriesFiles = (data: DataTransfer | null): data is DataTransfer => !!data && Array.from(data.types).includes('Files');

/** Hands each file of `list` over: the same path as "Attach file" (its limits and refusals). */
function attachAll(list: FileList | null | undefined, onAttach: (file: File) => void): boolean {
  const files = list ? Array.from(list) : [];
  for (const file of files) onAttach(file);
  return files.length > 0;
}

/**
 * The textbox ("Message") and the "Send" button. Enter sends, Shift+Enter starts a new line.
 * The textbox is uncontrolled: the draft lives in the DOM, so typing re-renders nothing.
 * With `onAttach`, files dropped on the composer or pasted into the textbox are sent like
 * files picked with "Attach file" (the keyboard's way, which stays the same).
 */
export function Composer({ disabled, strings, onSend, onDraft, onAttach }: ComposerProps) {
  const attach = onAttach && !disabled ? onAttach : undefined;
  /** Shows the composer as a drop target while files are dragged over it. */
  const dropTarget = (event: DragEvent, on: boolean) => event.currentTarget instanceof Element && event.currentTarget.classList.toggle('rd-drop', on);
  return (
    <form
      class="rd-composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit(event.currentTarget.querySelector('textarea'), disabled, onSend, onDraft);
      }}
      onDragOver={
        attach &&
        ((event) => {
          if (!carriesFiles(event.dataTransfer)) return;
          // Accepting the drop: without this the browser opens the file in place of the page.
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
          dropTarget(event, true);
        })
      }
      onDragLeave={attach && ((event) => dropTarget(event, false))}
      onDrop={
        attach &&
        ((event) => {
          dropTarget(event, false);
          if (!carriesFiles(event.dataTransfer)) return;
          event.preventDefault();
          attachAll(event.dataTransfer.files, attach);
        })
      }
    >
      <textarea
        class="rd-input"
        rows={1}
        aria-label={strings.message}
        placeholder={`${strings.message}…`}
        maxLength={TEXT_CHARS}
        disabled={disabled}
        onInput={onDraft && ((event) => onDraft(event.currentTarget.value))}
        // A pasted file (a screenshot, a file copied in the file manager) is sent; pasted text is typed as usual.
        onPaste={attach && ((event) => void (attachAll(event.clipboardData?.files, attach) && event.preventDefault()))}
        onKeyDown={(event) => {
          // isComposing: Enter that confirms an IME composition (Japanese, Chinese...) must not send.
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit(event.currentTarget, disabled, onSend, onDraft);
          }
        }}
      />
      {onAttach ? <AttachButton disabled={disabled} label={strings.attachFile} onAttach={onAttach} /> : null}
      <button type="submit" class="rd-send" aria-label={strings.send} disabled={disabled}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="currentColor">
          <path d="M3 20.5 21 12 3 3.5V10l12 2-12 2z" />
        </svg>
      </button>
    </form>
  );
}

/**
 * "Attach file": a real button (focusable, Enter and Space work) that opens the browser's file
 * picker through a hidden file input; each file picked is handed over, and the input is emptied so
 * that picking the same file again is a new pick.
 */
function AttachButton({ disabled, label, onAttach }: { disabled: boolean; label: string; onAttach(file: File): void }) {
  let input: HTMLInputElement | null = null;
  return (
    <span class="rd-attach-wrap">
      <input
        ref={(el) => void (input = el)}
        type="file"
        class="rd-file-input"
        hidden
        tabIndex={-1}
        disabled={disabled}
        onChange={(event) => {
          const picked = event.currentTarget.files;
          for (const file of picked ? Array.from(picked) : []) onAttach(file);
          event.currentTarget.value = '';
        }}
      />
      <button type="button" class="rd-attach" aria-label={label} title={label} disabled={disabled} onClick={() => input?.click()}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="m21.4 11.1-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
        </svg>
      </button>
    </span>
  );
}
