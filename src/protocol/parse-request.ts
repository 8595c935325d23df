/** Parses client -> server frames. The server answers a failure with an error response frame. */
import type { ClientRequest, RequestAction, RequestPayloads } from './frames';
import { Limits } from './limits';
import { parseVisitorIdentity } from './visitor';
import { fail, isObject, ok, optionalObject, optionalSeq, optionalString, requiredString } from './result';
import { messageEvent, parseRequest, type PayloadParsers, type RequestParseResult } from './request-envelope';

const parsers: PayloadParsers<RequestAction, RequestPayloads> = {
  login(p) {
    const token = optionalString(p, 'token', 512);
    if (!token.ok) return token;
    const lastSeq = optionalSeq(p, 'last_seq');
    if (!lastSeq.ok) return lastSeq;
    if (p.history !== undefined && typeof p.history !== 'boolean') return fail('history must be a boolean');
    if (p.new_thread !== undefined && typeof p.new_thread !== 'boolean') return fail('new_thread must be a boolean');
    const context = optionalObject(p, 'context', Limits.contextChars);
    if (!context.ok) return context;
    const user = p.user === undefined ? undefined : parseVisitorIdentity(p.user, 'user');
    if (user && !user.ok) return user;
    return ok({
      token: token.value,
      ...(user ? { user: user.value } : {}),
      last_seq: lastSeq.value,
      history: p.history === true,
      ...(p.new_thread === true ? { new_thread: true } : {}),
      context: context.value,
    });
  },
  start_chat(p) {
    const context = optionalObject(p, 'context', Limits.contextChars);
    if (!context.ok) return context;
    return ok({ context: context.value });
  },
  send_event(p) {
    const message = messageEvent(p);
    if (!message.ok) return message;
    const customId = requiredString(message.value.event, 'custom_id', Limits.nameChars);
    if (!customId.ok) return fail(`event.${customId.error}`);
    return ok({ event: { type: 'message', text: message.value.text, custom_id: customId.value } });
  },
  send_rich_message_postback(p) {
    const eventId = requiredString(p, 'event_id', Limits.nameChars);
    if (!eventId.ok) return eventId;
    const postback = p.postback;
    if (!isObject(postback)) return fail('postback must be an object');
    const id = requiredString(postback, 'id', Limits.quickReplyChars);
    if (!id.ok) return fail(`postback.${id.error}`);
    if (postback.toggled !== undefined && typeof postback.toggled !== 'boolean') {
      return fail('postback.toggled must be a boolean');
    }
    const customId = requiredString(p, 'custom_id', Limits.nameChars);
    if (!customId.ok) return customId;
    const text = p.text === undefined ? undefined : requiredString(p, 'text', Limits.quickReplyChars);
    if (text && !text.ok) return text;
    return ok({
      event_id: eventId.value,
      postback: { id: id.value, toggled: postback.toggled !== false },
      custom_id: customId.value,
      ...(text ? { text: text.value } : {}),
    });
  },
  page_event(p) {
    const alias = requiredString(p, 'alias', Limits.nameChars);
    if (!alias.ok) return alias;
    const body = optionalObject(p, 'body', Limits.contextChars);
    if (!body.ok) return body;
    const customId = requiredString(p, 'custom_id', Limits.nameChars);
    if (!customId.ok) return customId;
    return ok({ alias: alias.value, body: body.value, custom_id: customId.value });
  },
  update_context(p) {
    const context = optionalObject(p, 'context', Limits.contextChars);
    if (!context.ok) return context;
    if (context.value === undefined) return fail('context must be an object');
    return ok({ context: context.value });
  },
  ping() {
    return ok({});
  },
  send_sneak_peek(p) {
    const text = p.sneak_peek_text;
    if (typeof text !== 'string') return fail('sneak_peek_text must be a string');
    // A draft longer than a message is cut, not refused: it is a preview.
    return ok({ sneak_peek_text: text.slice(0, Limits.textChars) });
  },
  update_customer_page(p) {
    const url = requiredString(p, 'url', Limits.pageUrlChars);
    if (!url.ok) return url;
    if (!/^https?:\/\//i.test(url.value)) return fail('url must be an http(s) URL');
    const title = optionalString(p, 'title', Limits.pageUrlChars);
    if (!title.ok) return title;
    const referrer = optionalString(p, 'referrer', Limits.pageUrlChars);
    if (!referrer.ok) return referrer;
    return ok({ url: url.value, title: title.value ?? '', referrer: referrer.value ?? '' });
  },
};

/**
 * Parses one text frame from a client. Never throws: malformed JSON, wrong types and unknown
 * actions come back as `{ ok: false }` with whatever `request_id`/`action` could be read.
 */
export const parseClientFrame = (text: string): RequestParseResult<ClientRequest> => parseRequest<ClientRequest>(parsers, text);
