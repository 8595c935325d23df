/**
 * The envelope every request frame shares, whoever sends it (a visitor's widget or an agent):
 * `{ request_id, action, payload }` as JSON text, where each action has its own payload reader.
 * A failure keeps whatever `request_id` and `action` could be read, so the error response can
 * still be matched to its request.
 */
import { fail, isObject, ok, requiredString, type JsonObject, type Result } from './result';
import { Limits } from './limits';

/** The longest `request_id` and `action` read back into an error (anything longer is not echoed). */
const ECHO_CHARS = 100;

/** A request frame parsed, or what was wrong with it and what could be read of it. */
export type RequestParseResult<R> = { ok: true; value: R } | { ok: false; error: string; request_id?: string; action?: string };

/** One payload reader per action of a protocol. */
export type PayloadParsers<Action extends string, Payloads extends { [A in Action]: unknown }> = {
  [A in Action]: (payload: JsonObject) => Result<Payloads[A]>;
};

/**
 * Parses one text frame with `parsers`. Never throws: malformed JSON, wrong types and unknown
 * actions (those of another protocol included) come back as `{ ok: false }`.
 */
export function parseRequest<R extends { request_id: string; action: string; payload: unknown }>(
  parsers: { [action: string]: (payload: JsonObject) => Result<unknown> },
  text: string,
): RequestParseResult<R> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'frame is not valid JSON' };
  }
  if (!isObject(raw)) return { ok: false, error: 'frame must be a JSON object' };
  const requestId = typeof raw.request_id === 'string' && raw.request_id.length <= ECHO_CHARS ? raw.request_id : undefined;
  const action = typeof raw.action === 'string' && raw.action.length <= ECHO_CHARS ? raw.action : undefined;
  const failWith = (error: string): RequestParseResult<R> => ({ ok: false, error, request_id: requestId, action });
  if (requestId === undefined || requestId === '') return failWith('request_id must be a non-empty string');
  if (action === undefined) return failWith('action must be a string');
  // Own properties only: `constructor` or `toString` is not an action.
  const parser = Object.prototype.hasOwnProperty.call(parsers, action) ? parsers[action] : undefined;
  if (!parser) return failWith(`unknown action '${action}'`);
  const payload = raw.payload === undefined ? {} : raw.payload;
  if (!isObject(payload)) return failWith('payload must be an object');
  const parsed = parser(payload);
  if (!parsed.ok) return failWith(parsed.error);
  return { ok: true, value: { request_id: requestId, action, payload: parsed.value } as R };
}

/** Reads `event` of a `send_event` payload: a `message` whose text is not blank. */
export function messageEvent(payload: JsonObject): Result<{ event: JsonObject; text: string }> {
  const event = payload.event;
  if (!isObject(event)) return fail('event must be an object');
  if (event.type !== 'message') return fail("event.type must be 'message'");
  const text = requiredString(event, 'text', Limits.textChars);
  if (!text.ok) return fail(`event.${text.error}`);
  if (text.value.trim() === '') return fail('event.text must not be blank');
  return ok({ event, text: text.value });
}
