/**
 * Serialise once: the JSON text of a push is made one time and shared by everything that needs
 * it. The store writes the payload's text to the log; the frame sent to each of the chat's
 * connections is that same text inside `{"action":…,"type":"push","payload":…}`, so a push costs
 * one `JSON.stringify` of its payload however many tabs show it.
 *
 * Texts are kept beside the (immutable once built) frame objects in WeakMaps, so nothing has to
 * carry them through the store interface and nothing outlives its frame. A frame nobody gave a
 * text to is stringified on first use and remembered.
 */
import type { ServerFrame, StoredPush } from '../../protocol';

const payloads = new WeakMap<object, string>();
const frames = new WeakMap<object, string>();

/** Records that `text` is `push.payload` as JSON (a builder that made it from a template, see multicastText). */
export function rememberPayloadText(push: StoredPush, text: string): void {
  payloads.set(push, text);
}

/** The JSON text of `push.payload`, made once. */
export function payloadText(push: StoredPush): string {
  let text = payloads.get(push);
  if (text === undefined) {
    text = JSON.stringify(push.payload);
    payloads.set(push, text);
  }
  return text;
}

/**
 * The JSON text of a frame, made once per frame object. A push's text reuses its payload's text
 * (the one the store wrote); any other frame is stringified as it is.
 */
export function frameText(frame: ServerFrame): string {
  let text = frames.get(frame);
  if (text !== undefined) return text;
  if (frame.type === 'push' && 'seq' in frame.payload) {
    // Same keys, same order as JSON.stringify(frame) of a push built by chat/pushes.ts.
    text = `{"action":${JSON.stringify(frame.action)},"type":"push","payload":${payloadText(frame as StoredPush)}}`;
  } else {
    text = JSON.stringify(frame);
  }
  frames.set(frame, text);
  return text;
}
