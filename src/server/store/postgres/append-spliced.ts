/**
 * An append in ONE statement: the database bumps the chat's `last_seq`, stores the push with that
 * seq spliced into its JSON text, and trims the log, so no round trip is spent locking the chat to
 * learn its seq first (a round trip costs more here than everything else an append does).
 *
 * The push is built once with a placeholder seq; its text is cut at the placeholder, and the
 * statement joins the two halves around the seq it chose. The push built again with that seq
 * must serialise to exactly the stored text (checked; it is then the text sent to connections).
 *
 * With an origin, the statement also looks it up and stores nothing when it exists. That look-up
 * sees what committed before the statement began, so it is only race-free for a worker whose
 * batch holds the chat's shard lease (batch.ts): no other node can then be writing the same
 * origin. Unfenced callers lock the chat first instead (log.ts).
 */
import { payloadText, rememberPayloadText } from '../../chat/frame-text';
import { num, toPush, type Row } from '../sqlite-rows';
import type { AppendResult, PushBuilder } from '../types';
import type { Client } from './db';
import { stmt } from './statements';

const PLACEHOLDER = -1;
const MARKER = `"seq":${PLACEHOLDER}`;

/** Undefined when the push's text has no top-level seq to splice (the caller appends the other way). */
export async function appendSpliced(
  client: Client,
  chatId: string,
  build: PushBuilder,
  origin: string | null,
  createdAt: string,
  maxEvents: number,
): Promise<AppendResult | undefined> {
  const template = build(PLACEHOLDER, createdAt);
  const text = JSON.stringify(template.payload);
  const at = text.indexOf(MARKER);
  if (at < 0) return undefined;
  const prefix = text.slice(0, at + MARKER.length - String(PLACEHOLDER).length);
  const suffix = text.slice(at + MARKER.length);
  const lookup = origin !== null;
  const { rows } = await client.query<Row>(
    stmt(
      `WITH ${lookup ? 'found AS (SELECT action, payload FROM events WHERE origin = $5::text),' : ''}
       bumped AS (UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 ${lookup ? 'AND NOT EXISTS (SELECT 1 FROM found)' : ''} RETURNING last_seq),
       added AS (INSERT INTO events (chat_id, seq, action, payload, origin, created_at)
         SELECT $1, last_seq, $2::text, $3::text || last_seq || $4::text, $5::text, $6::text FROM bumped),
       trimmed AS (DELETE FROM events WHERE chat_id = $1 AND seq <= (SELECT last_seq FROM bumped) - $7::int)
       SELECT (SELECT last_seq FROM bumped) AS seq${lookup ? ', (SELECT action FROM found) AS action, (SELECT payload FROM found) AS payload' : ''}`,
      [chatId, template.action, prefix, suffix, origin, createdAt, maxEvents],
    ),
  );
  const row = rows[0];
  if (row && lookup && row.action !== null && row.action !== undefined) return { push: toPush(row), inserted: false };
  if (!row || row.seq === null) throw new Error(`chat ${chatId} does not exist`);
  const seq = num(row.seq);
  const push = build(seq, createdAt);
  const stored = `${prefix}${seq}${suffix}`;
  // Thrown inside the batch: this append is undone and fails alone.
  if (payloadText(push) !== stored) throw new Error(`the push of chat ${chatId} does not serialise as stored`);
  rememberPayloadText(push, stored);
  return { push, inserted: true };
}
