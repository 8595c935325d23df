/**
 * Parses server -> client frames. The client drops (and logs) frames that fail; the error names
 * the first bad field (`bad frame.payload.event.text`). Each object is copied field by field, so what
 * passes holds exactly the fields of its type and nothing else the server sent.
 */
import { isErrorType, type ErrorBody, type ErrorType } from './errors';
import type { ChatFile, ChatMessage, ChatSettings, LoginResponse, Push, ResponseFrame, RichContent, ServerFrame } from './frames';
import { fail, isObject, ok, type JsonObject, type Result } from './result';

/** Thrown by a {@link Reader} with the path of the field it refused; {@link parse} turns it into a failure. */
class Malformed {
  constructor(readonly path: string) {}
}

/** Reads the value at `path`: what to keep of it, or throws {@link Malformed}. */
type Reader<T> = (value: unknown, path: string) => T;

/** Keeps `value` when `test` accepts it. */
const check =
  <T>(test: (value: unknown) => boolean): Reader<T> =>
  (value, path) => {
    if (!test(value)) throw new Malformed(path);
    return value as T;
  };
const string = check<string>((v) => typeof v === 'string');
const boolean = check<boolean>((v) => typeof v === 'boolean');
const object = check<JsonObject>(isObject);
const oneOf = <T>(...values: T[]) => {
  const allowed = new Set<unknown>(values);
  return check<T>((v) => allowed.has(v));
};
/** A non-negative safe integer (a `last_seq`). */
const count = check<number>((v) => Number.isSafeInteger(v) && (v as number) >= 0);
/** A push's `seq`: 1, 2, 3, … */
const seq = check<number>((v) => Number.isSafeInteger(v) && (v as number) > 0);
const optional =
  <T>(read: Reader<T>): Reader<T | undefined> =>
  (value, path) =>
    value === undefined ? undefined : read(value, path);
const array =
  <T>(read: Reader<T>): Reader<T[]> =>
  (value, path) => {
    if (!Array.isArray(value)) throw new Malformed(path);
    const items: T[] = [];
    for (let i = 0; i < value.length; i += 1) items[i] = read(value[i], `${path}[${i}]`);
    return items;
  };
/**
 * A copy of an object with the fields of `fields` (absent ones too), each read by its reader from
 * the object's own properties: a page that polluted `Object.prototype` adds no field.
 */
const shape =
  <T>(fields: { [K in keyof T]-?: Reader<T[K]> }): Reader<T> =>
  (value, path) => {
    const raw = object(value, path);
    const copy = {} as T;
    for (const key of Object.keys(fields) as (keyof T & string)[]) {
      copy[key] = fields[key](Object.hasOwn(raw, key) ? raw[key] : undefined, `${path}.${key}`);
    }
    return copy;
  };
/** The string values of an object (the others are dropped); `undefined` when it is not an object. */
/** A string, or `undefined` for anything else (fields a server may leave out or get wrong without harm). */
const looseString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const stringMap = (value: unknown): Record<string, string> | undefined => {
  if (!isObject(value)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') map[key] = v;
  return map;
};

/** Runs `read` over `value`, the failure naming the field it refused. */
function parse<T>(read: Reader<T>, value: unknown, path: string): Result<T> {
  try {
    return ok(read(value, path));
  } catch (error) {
    return fail(error instanceof Malformed ? `bad ${error.path}` : String(error));
  }
}

const message = shape<ChatMessage>({
  id: string,
  type: oneOf('message'),
  author: oneOf('bot', 'visitor', 'agent'),
  author_id: optional(string),
  author_name: optional(string),
  text: string,
  quick_replies: optional(array(string)),
  // Kept as an object here (the first load stays small); the panel reads it field by field
  // before it shows anything of it (ui/rich.ts).
  rich: optional(object) as Reader<RichContent | undefined>,
  // Likewise: the panel reads a visitor file field by field (ui/file.ts).
  file: optional(object) as Reader<ChatFile | undefined>,
  custom_id: optional(string),
  created_at: string,
});

/** Endpoint settings; a subtitle, theme entries and translations that are not strings are dropped. */
const settings = shape<ChatSettings>({
  title: string,
  subtitle: looseString,
  theme: (v) => stringMap(v) ?? {},
  titles: stringMap,
  subtitles: stringMap,
});

const stored = { chat_id: string, seq };

/** The payload reader of each push action (a null prototype: an action named `constructor` is unknown). */
const PUSH_PAYLOADS: Record<string, Reader<unknown>> = Object.assign(Object.create(null) as object, {
  incoming_event: shape({ ...stored, event: message }),
  incoming_rich_message_postback: shape({
    ...stored,
    event_id: string,
    postback: (value: unknown, path: string) => ({
      id: shape({ id: string })(value, path).id,
      toggled: (value as JsonObject).toggled !== false,
    }),
    custom_id: looseString,
    text: looseString,
    created_at: string,
  }),
  host_notification: shape({ ...stored, message: string }),
  incoming_multicast: shape({ ...stored, type: string, content: object }),
  thread_closed: shape({ ...stored, thread_id: optional(string) }),
  incoming_typing_indicator: shape({
    chat_id: string,
    typing_indicator: (value: unknown, path: string) => {
      const { author_id: author, author_name: name, is_typing: isTyping } = shape({
        author_id: looseString,
        author_name: looseString,
        is_typing: boolean,
      })(value, path);
      return { author_id: author ?? 'bot', ...(name === undefined ? {} : { author_name: name }), is_typing: isTyping };
    },
  }),
  chat_user_added: shape({
    ...stored,
    user: shape({ id: string, name: string, type: oneOf('agent') }),
    user_type: oneOf('agent'),
  }),
  chat_user_removed: shape({ ...stored, user_id: string, user_name: string, user_type: oneOf('agent') }),
  chat_thread_properties_updated: shape({ ...stored, properties: shape({ routing: shape({ status: oneOf('queued') }) }) }),
  chat_properties_updated: shape({ chat_id: string, properties: settings }),
});

const push: Reader<Push> = (value, path) => {
  const { action, payload } = shape({ type: oneOf('push'), action: string, payload: object })(value, path);
  const read = PUSH_PAYLOADS[action];
  if (!read) throw new Malformed(`${path}.action`);
  return { action, type: 'push', payload: read(payload, `${path}.payload`) } as Push;
};

const loginResponse = shape<LoginResponse>({
  chat_id: string,
  customer_id: string,
  thread_id: string,
  thread_seq: count,
  token: string,
  resumed: boolean,
  recovered: boolean,
  last_seq: count,
  history: array(push),
  settings,
});

const errorBody = shape<ErrorBody>({ type: check<ErrorType>(isErrorType), message: string });

const response: Reader<ResponseFrame> = (value, path) => {
  const frame = shape({ type: oneOf<'response'>('response'), request_id: string, action: string, success: boolean })(value, path);
  const { payload, error } = value as JsonObject;
  return frame.success
    ? ({ ...frame, payload: object(payload, `${path}.payload`) } as ResponseFrame)
    : { ...frame, success: false, error: errorBody(error, `${path}.error`) };
};

/** Parses endpoint settings; theme keys and translations with non-string values are dropped. */
export const parseSettings = (raw: unknown): Result<ChatSettings> => parse(settings, raw, 'settings');

/** Parses a push object (also used for the `history` array of a login response). */
export const parsePush = (raw: unknown): Result<Push> => parse(push, raw, 'push');

/** Parses the payload of a `login` or `start_chat` success response. */
export const parseLoginResponse = (raw: unknown): Result<LoginResponse> => parse(loginResponse, raw, 'login');

/**
 * Parses one text frame from the server. Response payloads are checked only as objects here;
 * the caller that awaits a response parses its payload for the action it sent.
 */
export function parseServerFrame(text: string): Result<ServerFrame> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('frame is not JSON');
  }
  return parse<ServerFrame>(isObject(raw) && raw.type === 'push' ? push : response, raw, 'frame');
}

/** The readers, for the agent protocol's parsers (agent-parse.ts): one copy of the field checks. */
export { array, boolean, check, count, object, oneOf, optional, parse as readWith, shape, string, looseString, type Reader };
