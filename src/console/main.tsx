/**
 * The console's entry (`dist/console/console.js`, served at `/agent/console.js` by the page at
 * `/agent/`): connects to the agent websocket of the organization named in the page URL
 * (`/agent/?organization=acme`, default the server's only one), on this page's own origin.
 */
import { render } from 'preact';
import type { WebSocketFactory } from '../client';
// The widget's styles: the shell's (theme variables, buttons) and the panel's.
import shellCss from '../ui/shell.css?inline';
import { css as panelCss } from '../ui/panel-chunk';
import { ConsoleApp } from './App';
import consoleCss from './console.css?inline';
import { createConsole } from './controller';

const params = new URLSearchParams(location.search);
const organization = params.get('organization') ?? document.documentElement.dataset.organization ?? '';
const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/agent/rtm?organization=${encodeURIComponent(organization)}`;

const style = document.createElement('style');
style.textContent = `${shellCss}\n${panelCss}\n${consoleCss}`;
document.head.append(style);

const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
// The widget's look (colours, buttons, focus rings) for the whole console.
root.className = 'rd-root ac-root';
// The browser's WebSocket types its handlers with DOM events; the client's interface takes them as unknown.
const { store, intents } = createConsole(url, WebSocket as unknown as WebSocketFactory);
const draw = () => render(<ConsoleApp state={store.get()} intents={intents} />, root);
store.subscribe(draw);
draw();
