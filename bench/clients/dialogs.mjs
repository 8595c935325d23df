// Client side of the server scenarios: opens K dialogs on one of the three targets and says, for
// every push that arrives, which dialog got it and the text it carries. Runs in the load
// process, never in the server's.
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import WebSocket from 'ws';

const peers = createRequire(new URL('../peers/package.json', import.meta.url));

/** One keep-alive agent per load process: connections are reused like a real integration's. */
export const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs `body` (a string) to `url + path`; resolves with `{status, body}`. */
export function post(url, path, body, headers = {}) {
  return new Promise((done, fail) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** Runs `task(i)` for i in [0, count) with at most `width` at a time. */
export async function pool(count, width, task) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

const wsUrl = (url) => url.replace(/^http/, 'ws');

/** A Roundel dialog: a websocket that logged in (a new dialog) and gets `incoming_*` pushes. */
function openRoundel(url, index, onPush) {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`${wsUrl(url)}/ws?organization=acme&endpoint=acme-demo`);
    ws.once('error', fail);
    ws.once('open', () => ws.send(JSON.stringify({ request_id: '1', action: 'login', payload: {} })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'response' && frame.action === 'login') {
        if (!frame.success) return fail(new Error(`login failed: ${JSON.stringify(frame.error)}`));
        ws.off('error', fail);
        ws.on('error', () => {});
        done({ chatId: frame.payload.chat_id, close: () => ws.terminate() });
      } else if (frame.action === 'incoming_event' && frame.payload.event.author === 'bot') {
        onPush(index, frame.payload.event.text, 'reply');
      } else if (frame.action === 'incoming_multicast') {
        onPush(index, String(frame.payload.content?.text ?? ''), 'multicast');
      }
    });
  });
}

/** A floor dialog: a bare websocket that receives whatever is POSTed to /push/N. */
function openFloor(url, index, onPush) {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`${wsUrl(url)}/ws?id=${index}`);
    ws.once('error', fail);
    ws.once('open', () => {
      ws.off('error', fail);
      ws.on('error', () => {});
      done({ close: () => ws.terminate() });
    });
    ws.on('message', (data) => onPush(index, JSON.parse(data.toString()).text, 'reply'));
  });
}

/** A Socket.IO dialog: socket.io-client over websocket, in room N. */
function openSocketIo(url, index, onPush) {
  const { io } = peers('socket.io-client');
  return new Promise((done, fail) => {
    const socket = io(url, { transports: ['websocket'], query: { room: String(index) }, reconnection: false, forceNew: true });
    socket.once('connect_error', fail);
    socket.once('connect', () => done({ close: () => socket.disconnect() }));
    socket.on('push', (body) => onPush(index, JSON.parse(body).text, 'reply'));
  });
}

const openers = { roundel: openRoundel, floor: openFloor, socketio: openSocketIo };

/**
 * Opens `count` dialogs on the target (`kind`: roundel | floor | socketio at `url`). Each dialog
 * gets `path`: where a POST activates it (Roundel: a pushback made through the management API).
 * `onPush(index, text, 'reply' | 'multicast')` is called for each push.
 */
export async function openDialogs(kind, url, count, { apiKey, onPush, width = 100, pushbacks = true }) {
  const dialogs = new Array(count);
  await pool(count, width, async (i) => {
    dialogs[i] = await openers[kind](url, i, onPush);
  });
  if (kind === 'roundel' && pushbacks) {
    await pool(count, 32, async (i) => {
      const body = JSON.stringify({
        channelType: 'chatwidget',
        botId: 'acme-demo',
        chatId: dialogs[i].chatId,
        event: 'newNotification',
        eventData: { text: 'x' },
      });
      const res = await post(url, '/api/v1/pushbacks', body, { authorization: `Bearer ${apiKey}` });
      if (res.status !== 201) throw new Error(`creating a pushback answered ${res.status} ${res.body}`);
      dialogs[i].path = `/pushgate/push_${JSON.parse(res.body).id}`;
    });
  } else {
    for (let i = 0; i < count; i += 1) dialogs[i].path = `/push/${i}`;
  }
  return dialogs;
}

/** The POST that raises an event in every dialog of the target. */
export function broadcast(kind, url, apiKey, text) {
  if (kind === 'roundel') {
    return post(url, '/api/v1/events/bench', JSON.stringify({ users: 'everyone', data: { text } }), {
      authorization: `Bearer ${apiKey}`,
    });
  }
  return post(url, '/broadcast', JSON.stringify({ text }));
}
