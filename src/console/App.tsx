/**
 * The agent console: a login form, then the queue and the live chats on the left and the open
 * chat on the right (the widget's own transcript and composer components). It renders state and
 * raises intents; the controller talks to the server.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ENGLISH, type UiStrings } from '../ui';
// The widget's Preact components: the ui layer's panel entry.
import { Composer, Log } from '../ui/panel-chunk';
import type { ConsoleIntents } from './controller';
import type { ChatRow, ConsoleState } from './model';

/** The widget's strings, seen from the agent's side of the conversation. */
const STRINGS: UiStrings = { ...ENGLISH, transcript: 'Transcript', botSaid: 'Visitor:', youSaid: 'You:' };

const STATUS: Record<ConsoleState['connection'], string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  ready: 'Online',
  reconnecting: 'Reconnecting…',
  refused: 'Wrong agent key',
  closed: 'Disconnected',
};

function visitorLabel(row: ChatRow): string {
  return row.visitorName ?? `Visitor ${row.id.slice(0, 8)}`;
}

function Login({ intents, error }: { intents: ConsoleIntents; error: string | undefined }) {
  return (
    <main class="ac-login">
      <h1>Roundel agent console</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const key = new FormData(event.currentTarget).get('key');
          if (typeof key === 'string' && key !== '') intents.logIn(key);
        }}
      >
        <label for="ac-key">Agent key</label>
        <input id="ac-key" name="key" type="password" autocomplete="current-password" required />
        <button type="submit">Log in</button>
      </form>
      {error ? <p role="alert">{error}</p> : null}
    </main>
  );
}

function ChatList({ title, rows, openId, intents }: { title: string; rows: readonly ChatRow[]; openId?: string; intents: ConsoleIntents }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {rows.length === 0 ? <p class="ac-empty">None</p> : null}
      <ul>
        {rows.map((row) => (
          <li key={row.id}>
            <button type="button" class="ac-chat" aria-current={row.id === openId ? 'true' : undefined} onClick={() => intents.open(row.id)}>
              <strong>{visitorLabel(row)}</strong>
              <span>{row.present ? 'online' : 'away'}</span>
              <span class="ac-page">{row.page ? row.page.title || row.page.url : 'no page yet'}</span>
              <span class="ac-last">{row.sneakPeek ? `typing: ${row.sneakPeek}` : (row.lastText ?? '')}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function OpenChat({ state, row, intents }: { state: ConsoleState; row: ChatRow | undefined; intents: ConsoleIntents }) {
  const [target, setTarget] = useState('');
  const typing = useRef(false);
  const me = state.agent?.id;
  const inChat = row?.agents.some((agent) => agent.id === me) ?? false;
  const setTyping = (value: boolean) => {
    if (typing.current === value) return;
    typing.current = value;
    intents.typing(value);
  };
  if (!row) return <p>This chat has ended.</p>;
  return (
    <>
      <h2>{visitorLabel(row)}</h2>
      <dl class="ac-facts">
        <dt>Page</dt>
        <dd class="ac-current-page">{row.page ? row.page.url : 'unknown'}</dd>
        <dt>Routing</dt>
        <dd>{row.routing.status + (row.routing.reason ? ` (${row.routing.reason})` : '')}</dd>
        <dt>Agents</dt>
        <dd>{row.agents.map((agent) => agent.name).join(', ') || 'none'}</dd>
        <dt>Visitor is typing</dt>
        <dd class="ac-sneak-peek">{row.sneakPeek ?? ''}</dd>
      </dl>
      <div class="ac-actions" role="group" aria-label="Chat actions">
        <button type="button" onClick={intents.join} disabled={inChat}>
          Join
        </button>
        <button type="button" onClick={intents.leave} disabled={!inChat}>
          Leave
        </button>
        <label for="ac-target">Transfer to agent</label>
        <input id="ac-target" value={target} onInput={(event) => setTarget(event.currentTarget.value)} />
        <button type="button" onClick={() => target.trim() && intents.transfer(target.trim())}>
          Transfer
        </button>
        <button type="button" onClick={intents.end}>
          End chat
        </button>
      </div>
      <div class="rd-root rd-inline rd-open ac-chatpane">
        <Log items={state.transcript} pending={[]} shown strings={STRINGS} lang="en" />
        <div onInput={(event) => setTyping((event.target as HTMLTextAreaElement).value.trim() !== '')}>
          <Composer
            disabled={state.connection !== 'ready'}
            strings={STRINGS}
            onSend={(text) => {
              setTyping(false);
              intents.send(text);
            }}
          />
        </div>
      </div>
    </>
  );
}

export function ConsoleApp({ state, intents }: { state: ConsoleState; intents: ConsoleIntents }) {
  useEffect(() => {
    document.title = state.agent ? `Roundel agents · ${state.agent.name}` : 'Roundel agent console';
  }, [state.agent]);
  if (!state.agent && (state.connection === 'idle' || state.connection === 'refused' || state.connection === 'closed')) {
    return <Login intents={intents} error={state.connection === 'refused' ? 'Wrong agent key' : state.error} />;
  }
  const queue = state.chats.filter((row) => row.routing.status === 'queued');
  const live = state.chats.filter((row) => row.routing.status !== 'queued');
  const open = state.chats.find((row) => row.id === state.openChatId);
  return (
    <>
      <header class="ac-header">
        <h1>Roundel agents</h1>
        <span>{state.agent?.name ?? ''}</span>
        <span role="status">{STATUS[state.connection]}</span>
        <button type="button" onClick={intents.logOut}>
          Log out
        </button>
      </header>
      <div class="ac-main">
        <nav aria-label="Chats">
          <ChatList title="Queue" rows={queue} openId={state.openChatId} intents={intents} />
          <ChatList title="Live chats" rows={live} openId={state.openChatId} intents={intents} />
        </nav>
        <main class="ac-chat-view">
          {state.error ? <p role="alert">{state.error}</p> : null}
          {state.openChatId === undefined ? <p>Pick a chat on the left.</p> : <OpenChat state={state} row={open} intents={intents} />}
        </main>
      </div>
    </>
  );
}
