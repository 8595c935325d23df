/**
 * The inbox side of the PostgreSQL engine: what arrives for a chat (stored before it is
 * acknowledged), an external event's fan-out, and the worker's done marks. Same semantics as the
 * SQLite engine (store/sqlite.ts); the contract suite (store/contract.ts) checks both.
 */
import { toInboxRow } from '../../chat/inbound';
import { num, str, toItem, type Row } from '../sqlite-rows';
import type { FanOutResult, InboxItem, InboundResult, Store } from '../types';
import { one, type PgWrites } from './log';

type InboxMethods = Pick<Store, 'acceptInbound' | 'fanOut' | 'nextPending' | 'finishItem' | 'pendingChatIds'>;

export function postgresInbox(w: PgWrites): InboxMethods {
  const { pool } = w;
  return {
    acceptInbound: (input) =>
      w.chain.run(input.chatId, () =>
        w.tx(async (client): Promise<InboundResult> => {
          // The chat's row lock orders its items across nodes: ids grow in the order they commit.
          const row = await w.lockChat(client, input.chatId);
          if (!row) return { status: 'missing' };
          if (input.requireOpen === true && row.t_closed_at !== null) return { status: 'closed' };
          const customId = input.input.customId;
          if (customId !== undefined) {
            const seen = await one(client, 'SELECT * FROM inbox WHERE chat_id = $1 AND custom_id = $2', [input.chatId, customId]);
            if (seen) return { status: 'duplicate', item: toItem(seen), seq: seen.ack_seq === null ? null : num(seen.ack_seq) };
          }
          // The item is the intake's own input: nothing is read back or parsed again.
          const stored = toInboxRow(input.input);
          const createdAt = w.iso();
          const inserted = (await one(
            client,
            'INSERT INTO inbox (chat_id, kind, payload, custom_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
            [input.chatId, stored.kind, JSON.stringify(stored.payload), stored.customId, createdAt],
          )) as Row;
          const item: InboxItem = { id: num(inserted.id), chatId: input.chatId, input: input.input, ...stored, createdAt };
          input.stored?.(item);
          if (!input.push) return { status: 'accepted', item };
          const { push } = await w.appendIn(client, input.chatId, input.push, `${item.id}:0`, true);
          await client.query('UPDATE inbox SET ack_seq = $1 WHERE id = $2', [push.payload.seq, item.id]);
          return { status: 'accepted', item, push };
        }),
      ),
    fanOut: (ids, input, options) =>
      w.tx(async (client) => {
        const stored = toInboxRow(input);
        const payload = JSON.stringify(stored.payload);
        const createdAt = w.iso();
        // Every row locked up front, in id order: two fan-outs over overlapping audiences (on two
        // nodes) then never wait on each other in a cycle.
        const { rows } = await client.query<Row>('SELECT id FROM chats WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [[...ids]]);
        const existing = new Set(rows.map((r) => str(r.id)));
        const results: FanOutResult[] = [];
        for (const chatId of ids) {
          if (!existing.has(chatId)) continue;
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
          const push = options.multicast ? (await w.appendIn(client, chatId, options.multicast(chatId), item ? `${item.id}:0` : null, true)).push : undefined;
          results.push({ chatId, ...(item ? { item } : {}), ...(push ? { push } : {}) });
        }
        return results;
      }),
    async nextPending(chatId) {
      const row = await one(pool, 'SELECT * FROM inbox WHERE chat_id = $1 AND processed_at IS NULL ORDER BY id LIMIT 1', [chatId]);
      return row ? toItem(row) : undefined;
    },
    // After the turn's outputs (the chat's chain), in a fenced transaction: a node that lost the
    // chat's shard cannot mark an item done that the new owner runs.
    finishItem: (itemId, chatId, state, lastRequest, check) =>
      w.chain.run(chatId, () =>
        w.workerTx(chatId, async (client) => {
          check?.();
          if (state !== undefined) await client.query('UPDATE chats SET state = $1 WHERE id = $2', [JSON.stringify(state), chatId]);
          if (lastRequest !== undefined) await client.query('UPDATE chats SET last_request = $1 WHERE id = $2', [JSON.stringify(lastRequest), chatId]);
          await client.query('UPDATE inbox SET processed_at = $1 WHERE id = $2', [w.iso(), typeof itemId === 'function' ? itemId() : itemId]);
        }),
      ),
    async pendingChatIds() {
      const { rows } = await pool.query<Row>('SELECT DISTINCT chat_id FROM inbox WHERE processed_at IS NULL');
      return rows.map((r) => str(r.chat_id));
    },
  };
}
