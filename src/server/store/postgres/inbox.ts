/**
 * The inbox side of the PostgreSQL engine: what arrives for a chat (stored before it is
 * acknowledged), an external event's fan-out, and the worker's done marks. Same semantics as the
 * SQLite engine (store/sqlite.ts); the contract suite (store/contract.ts) checks both.
 */
import { toInboxRow } from '../../chat/inbound';
import { payloadText } from '../../chat/frame-text';
import { num, str, toItem, type Row } from '../sqlite-rows';
import type { FanOutResult, InboxItem, InboundResult, Store } from '../types';
import type { Client } from './db';
import { one, stmt, type PgWrites } from './log';

type InboxMethods = Pick<Store, 'acceptInbound' | 'fanOut' | 'nextPending' | 'finishItem' | 'pendingChatIds'>;

export function postgresInbox(w: PgWrites): InboxMethods {
  const { pool } = w;
  return {
    acceptInbound: (input) => {
      // The item is the intake's own input: nothing is read back or parsed again.
      const stored = toInboxRow(input.input);
      const payload = JSON.stringify(stored.payload);
      const accepted = (id: unknown, createdAt: string): InboxItem => {
        const item: InboxItem = { id: num(id), chatId: input.chatId, input: input.input, ...stored, createdAt };
        input.stored?.(item);
        return item;
      };
      // Nothing to deduplicate and no push: the lock and the insert are one statement.
      const insertLocked = async (client: Client): Promise<InboundResult> => {
        const createdAt = w.iso();
        const row = await one(
          client,
          `WITH chat AS (SELECT c.id, t.closed_at FROM chats c JOIN threads t ON t.id = c.thread_id WHERE c.id = $1 FOR UPDATE OF c),
           item AS (INSERT INTO inbox (chat_id, kind, payload, custom_id, created_at)
             SELECT $1, $2, $3, NULL, $4 FROM chat WHERE NOT $5::boolean OR chat.closed_at IS NULL RETURNING id)
           SELECT chat.closed_at, item.id FROM chat LEFT JOIN item ON true`,
          [input.chatId, stored.kind, payload, createdAt, input.requireOpen === true],
        );
        if (!row) return { status: 'missing' };
        if (row.id === null) return { status: 'closed' };
        return { status: 'accepted', item: accepted(row.id, createdAt) };
      };
      const customId = input.input.customId;
      if (!input.push && customId === undefined) return w.write(input.chatId, insertLocked, { single: true, bytes: payload.length });
      return w.write(
        input.chatId,
        async (client): Promise<InboundResult> => {
          // The chat's row lock orders its items across nodes: ids grow in the order they commit.
          const row = await w.lockChat(client, input.chatId);
          if (!row) return { status: 'missing' };
          if (input.requireOpen === true && row.t_closed_at !== null) return { status: 'closed' };
          if (customId !== undefined) {
            const seen = await one(client, 'SELECT * FROM inbox WHERE chat_id = $1 AND custom_id = $2', [input.chatId, customId]);
            if (seen) return { status: 'duplicate', item: toItem(seen), seq: seen.ack_seq === null ? null : num(seen.ack_seq) };
          }
          const createdAt = w.iso();
          const values: unknown[] = [input.chatId, stored.kind, payload, stored.customId, createdAt];
          if (!input.push) {
            const inserted = (await one(client, 'INSERT INTO inbox (chat_id, kind, payload, custom_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id', values)) as Row;
            return { status: 'accepted', item: accepted(inserted.id, createdAt) };
          }
          // The chat row is locked and read: the push's seq is known, and the item, its push (origin
          // `<item>:0`, acknowledged by ack_seq) and the log's retention are one statement.
          const seq = num(row.last_seq) + 1;
          const push = input.push(seq, createdAt);
          values.push(seq, push.action, payloadText(push));
          const maxEvents = w.retention.maxEvents;
          const trim = seq > maxEvents ? `, trimmed AS (DELETE FROM events WHERE chat_id = $1 AND seq <= $${values.push(seq - maxEvents)}::int)` : '';
          const inserted = (await one(
            client,
            `WITH item AS (INSERT INTO inbox (chat_id, kind, payload, custom_id, created_at, ack_seq) VALUES ($1, $2, $3, $4, $5, $6::int) RETURNING id),
             bumped AS (UPDATE chats SET last_seq = $6::int WHERE id = $1),
             added AS (INSERT INTO events (chat_id, seq, action, payload, origin, created_at) SELECT $1, $6::int, $7::text, $8::text, item.id || ':0', $5 FROM item)
             ${trim}
             SELECT id FROM item`,
            values,
          )) as Row;
          return { status: 'accepted', item: accepted(inserted.id, createdAt), push };
        },
        { bytes: payload.length },
      );
    },
    fanOut: (ids, input, options) =>
      // Many chats in one transaction of its own: inside a batch its locks would not follow the batch's chat order.
      w.tx(async (client) => {
        const stored = toInboxRow(input);
        const payload = JSON.stringify(stored.payload);
        const createdAt = w.iso();
        // Every row locked up front, in id order as every batch takes them (byte order, as the
        // batch's sort in JavaScript): two fan-outs or batches over overlapping chats (on two
        // nodes) then never wait on each other in a cycle.
        const { rows } = await client.query<Row>(stmt('SELECT id, last_seq FROM chats WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR UPDATE', [[...ids]]));
        const lastSeqs = new Map(rows.map((r) => [str(r.id), num(r.last_seq)]));
        const results: FanOutResult[] = [];
        for (const chatId of ids) {
          const lastSeq = lastSeqs.get(chatId);
          if (lastSeq === undefined) continue;
          let item: InboxItem | undefined;
          if (options.inbox) {
            const inserted = (await one(
              client,
              'INSERT INTO inbox (chat_id, kind, payload, custom_id, created_at) VALUES ($1, $2, $3, NULL, $4) RETURNING id',
              [chatId, stored.kind, payload, createdAt],
            )) as Row;
            item = { id: num(inserted.id), chatId, input, ...stored, createdAt };
          }
          // With an item, its origin makes a re-run of that item find the push instead of adding one.
          const push = options.multicast ? (await w.appendIn(client, chatId, options.multicast(chatId), item ? `${item.id}:0` : null, lastSeq)).push : undefined;
          if (push) lastSeqs.set(chatId, push.payload.seq);
          results.push({ chatId, ...(item ? { item } : {}), ...(push ? { push } : {}) });
        }
        return results;
      }),
    async nextPending(chatId) {
      const row = await one(pool, 'SELECT * FROM inbox WHERE chat_id = $1 AND processed_at IS NULL ORDER BY id LIMIT 1', [chatId]);
      return row ? toItem(row) : undefined;
    },
    // Behind the turn's outputs (the batch keeps a chat's writes in order), fenced: a node that
    // lost the chat's shard cannot mark an item done that the new owner runs.
    finishItem: (itemId, chatId, state, lastRequest, check) => {
      const stateText = state === undefined ? undefined : JSON.stringify(state);
      const requestText = lastRequest === undefined ? undefined : JSON.stringify(lastRequest);
      return w.write(
        chatId,
        async (client) => {
          check?.();
          const values: unknown[] = [typeof itemId === 'function' ? itemId() : itemId, w.iso(), chatId];
          const sets: string[] = [];
          if (stateText !== undefined) sets.push(`state = $${values.push(stateText)}`);
          if (requestText !== undefined) sets.push(`last_request = $${values.push(requestText)}`);
          // One statement: the chat's columns (when any changed) and the done mark.
          const chat = sets.length > 0 ? `WITH chat AS (UPDATE chats SET ${sets.join(', ')} WHERE id = $3) ` : '';
          await client.query(stmt(`${chat}UPDATE inbox SET processed_at = $2 WHERE id = $1 AND chat_id = $3`, values));
        },
        { fenced: true, bytes: (stateText?.length ?? 0) + (requestText?.length ?? 0) },
      );
    },
    async pendingChatIds() {
      const { rows } = await pool.query<Row>('SELECT DISTINCT chat_id FROM inbox WHERE processed_at IS NULL');
      return rows.map((r) => str(r.chat_id));
    },
  };
}
