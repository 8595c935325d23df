/** Parses server -> client frames. The client drops (and logs) frames that fail. */
import { isErrorType } from './errors';
import type { ChatMessage, ChatSettings, LoginResponse, Push, ServerFrame } from './frames';
import { fail, isObject, ok, type JsonObject, type Result } from './result';

const isString = (v: unknown): v is string => typeof v === 'string';
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function parseMessage(raw: unknown): Result<ChatMessage> {
  if (!isObject(raw)) return fail('event must be an object');
  const { id, author, text, quick_replies, custom_id, created_at } = raw;
  if (!isString(id) || !isString(text) || !isString(created_at)) return fail('event fields are malformed');
  if (raw.type !== 'message' || (author !== 'bot' && author !== 'visitor')) return fail('event is not a message');
  if (quick_replies !== undefined && !isStringArray(quick_replies)) return fail('quick_replies must be strings');
  if (custom_id !== undefined && !isString(custom_id)) return fail('custom_id must be a string');
  return ok({ id, type: 'message', author, text, quick_replies, custom_id, created_at });
}

/** The string values of an object (others are dropped); `undefined` when it is not an object. */
function stringMap(raw: unknown): Record<string, string> | undefined {
  if (!isObject(raw)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (isString(value)) map[key] = value;
  return map;
}

/** Parses endpoint settings; theme keys and translations with non-string values are dropped. */
export function parseSettings(raw: unknown): Result<ChatSettings> {
  if (!isObject(raw) || !isString(raw.title)) return fail('settings.title must be a string');
  return ok({
    title: raw.title,
    subtitle: isString(raw.subtitle) ? raw.subtitle : undefined,
    theme: stringMap(raw.theme) ?? {},
    titles: stringMap(raw.titles),
    subtitles: stringMap(raw.subtitles),
  });
}

function parsePushPayload(action: string, p: JsonObject): Result<Push> {
  const chatId = p.chat_id;
  if (!isString(chatId)) return fail('payload.chat_id must be a string');
  const push = <P extends Push>(frame: P): Result<Push> => ok(frame);
  switch (action) {
    case 'incoming_event': {
      if (!isSeq(p.seq)) return fail('seq must be a positive integer');
      const event = parseMessage(p.event);
      if (!event.ok) return event;
      return push({ action, type: 'push', payload: { chat_id: chatId, seq: p.seq, event: event.value } });
    }
    case 'incoming_rich_message_postback': {
      const { seq, event_id, postback, custom_id, created_at } = p;
      if (!isSeq(seq) || !isString(event_id) || !isString(created_at)) return fail('postback fields are malformed');
      if (!isObject(postback) || !isString(postback.id)) return fail('postback.id must be a string');
      return push({
        action,
        type: 'push',
        payload: {
          chat_id: chatId,
          seq,
          event_id,
          postback: { id: postback.id, toggled: postback.toggled !== false },
          custom_id: isString(custom_id) ? custom_id : undefined,
          created_at,
        },
      });
    }
    case 'host_notification': {
      if (!isSeq(p.seq) || !isString(p.message)) return fail('host_notification fields are malformed');
      return push({ action, type: 'push', payload: { chat_id: chatId, seq: p.seq, message: p.message } });
    }
    case 'incoming_multicast': {
      if (!isSeq(p.seq) || !isString(p.type) || !isObject(p.content)) return fail('incoming_multicast is malformed');
      return push({
        action,
        type: 'push',
        payload: { chat_id: chatId, seq: p.seq, type: p.type, content: p.content },
      });
    }
    case 'thread_closed': {
      if (!isSeq(p.seq)) return fail('seq must be a positive integer');
      return push({ action, type: 'push', payload: { chat_id: chatId, seq: p.seq } });
    }
    case 'incoming_typing_indicator': {
      const indicator = p.typing_indicator;
      if (!isObject(indicator) || typeof indicator.is_typing !== 'boolean') return fail('typing_indicator is malformed');
      return push({
        action,
        type: 'push',
        payload: { chat_id: chatId, typing_indicator: { author_id: 'bot', is_typing: indicator.is_typing } },
      });
    }
    case 'chat_properties_updated': {
      const settings = parseSettings(p.properties);
      if (!settings.ok) return settings;
      return push({ action, type: 'push', payload: { chat_id: chatId, properties: settings.value } });
    }
    default:
      return fail(`unknown push action '${action}'`);
  }
}

/** Parses a push object (also used for the `history` array of a login response). */
export function parsePush(raw: unknown): Result<Push> {
  if (!isObject(raw) || raw.type !== 'push' || !isString(raw.action)) return fail('not a push frame');
  if (!isObject(raw.payload)) return fail('push payload must be an object');
  return parsePushPayload(raw.action, raw.payload);
}

/** Parses the payload of a `login` or `start_chat` success response. */
export function parseLoginResponse(raw: unknown): Result<LoginResponse> {
  if (!isObject(raw)) return fail('login payload must be an object');
  const { chat_id, customer_id, token, resumed, recovered, last_seq, history, settings } = raw;
  if (!isString(chat_id) || !isString(customer_id) || !isString(token)) return fail('login ids are malformed');
  if (typeof resumed !== 'boolean' || typeof recovered !== 'boolean') return fail('login flags are malformed');
  if (typeof last_seq !== 'number' || !Number.isSafeInteger(last_seq) || last_seq < 0) {
    return fail('last_seq must be a non-negative integer');
  }
  if (!Array.isArray(history)) return fail('history must be an array');
  const pushes: Push[] = [];
  for (const item of history) {
    const parsed = parsePush(item);
    if (!parsed.ok) return fail(`history: ${parsed.error}`);
    pushes.push(parsed.value);
  }
  const parsedSettings = parseSettings(settings);
  if (!parsedSettings.ok) return parsedSettings;
  return ok({
    chat_id,
    customer_id,
    token,
    resumed,
    recovered,
    last_seq,
    history: pushes,
    settings: parsedSettings.value,
  });
}

/**
 * Parses one text frame from the server. Response payloads are checked only as objects here;
 * the caller that awaits a response parses its payload for the action it sent.
 */
export function parseServerFrame(text: string): Result<ServerFrame> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('frame is not valid JSON');
  }
  if (!isObject(raw) || !isString(raw.action)) return fail('frame must be an object with an action');
  if (raw.type === 'push') return parsePush(raw);
  if (raw.type !== 'response' || !isString(raw.request_id)) return fail('frame type must be push or response');
  if (raw.success === true) {
    if (!isObject(raw.payload)) return fail('response payload must be an object');
    return ok({ ...raw, payload: raw.payload } as unknown as ServerFrame);
  }
  const error = raw.error;
  if (raw.success !== false || !isObject(error) || !isErrorType(error.type) || !isString(error.message)) {
    return fail('error response is malformed');
  }
  return ok({
    request_id: raw.request_id,
    action: raw.action,
    type: 'response',
    success: false,
    error: { type: error.type, message: error.message },
  });
}
