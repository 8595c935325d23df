/**
 * The inbox rows of the SQLite store, written at the end of their batch.
 *
 * An accepted item is the runtime's work order: it must be in the database when its batch commits
 * unless it was done within that same batch. The engine's shared commit (chat/service.ts) runs a
 * bot turn in the same event-loop turn as its intake, so most items are accepted, answered and
 * marked done by ONE batch; writing their row (two random index pages: `(chat_id, custom_id)` and
 * the pending index) only to mark it done a few statements later is most of what the inbox costs.
 * So an accepted row waits here until its batch ends: {@link DeferredInbox.flush} writes the ones
 * still pending, and one that was finished meanwhile is never written. What it was for is kept:
 * its outputs are in the log (with origins `<id>:<n>`), its state and done mark in the chat.
 *
 * Ids come from this counter, never from AUTOINCREMENT, so an id is unique whether its row was
 * written or not. An origin names an id, and a restarted server must never hand that id out
 * again: the counter in `sqlite_sequence` is always at or above every id a committed batch used.
 * It is raised in blocks of {@link ID_BLOCK}, by the batch that needs the next block, so a batch
 * whose items were all done within it (the usual one) does not write its page: one page of the
 * WAL, and of the checkpoint, per commit less. (A batch that inserts rows writes it anyway:
 * SQLite keeps `sqlite_sequence` at the highest id of the table.) A restart skips the rest of
 * the block, which costs nothing but numbers.
 */
import type Database from 'better-sqlite3';
import { num, type Row } from './sqlite-rows';

/** Ids reserved by one write of the counter. */
export const ID_BLOCK = 1024;

export interface InboxRow {
  id: number;
  chatId: string;
  kind: string;
  payload: string;
  customId: string | null;
  createdAt: string;
  ackSeq: number | null;
}

/** A row in the shape the database returns (for sqlite-rows.ts's `toItem`). */
export const asStoredRow = (r: InboxRow): Row => ({ id: r.id, chat_id: r.chatId, kind: r.kind, payload: r.payload, custom_id: r.customId, created_at: r.createdAt });

export class DeferredInbox {
  private readonly deferred = new Map<number, InboxRow>();
  /** The highest id handed out; stored at the end of every batch that handed one out. */
  private lastId: number;
  /** The counter as the batch in progress leaves it (written by its flush, not yet committed). */
  private storedId: number;
  /** The counter as the last committed batch left it. */
  private committedId: number;
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      insert: db.prepare('INSERT INTO inbox (id, chat_id, kind, payload, custom_id, created_at, ack_seq) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      lastId: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'inbox'"),
      maxId: db.prepare('SELECT MAX(id) AS id FROM inbox'),
      createSeq: db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('inbox', ?)"),
      setSeq: db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'inbox' AND seq < ?"),
    };
    const seq = (this.q.lastId.get() as Row | undefined)?.seq;
    const max = (this.q.maxId.get() as Row).id;
    this.storedId = Math.max(seq == null ? 0 : num(seq), max == null ? 0 : num(max));
    if (seq == null) this.q.createSeq.run(this.storedId);
    this.committedId = this.storedId;
    this.lastId = this.storedId;
  }

  /** A new item id (inside a batch's transaction). */
  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** Writes the row now (an item that cannot be done within its batch: a chat's start, a fan-out's). */
  insertNow(row: InboxRow): void {
    this.q.insert.run(row.id, row.chatId, row.kind, row.payload, row.customId, row.createdAt, row.ackSeq);
  }

  /** Keeps the row until the batch ends (call it last in its job: a job that throws must not leave it here). */
  defer(row: InboxRow): void {
    this.deferred.set(row.id, row);
  }

  /** The chat's deferred row with this client id (the duplicate check sees rows not written yet). */
  byCustomId(chatId: string, customId: string): InboxRow | undefined {
    for (const row of this.deferred.values()) if (row.chatId === chatId && row.customId === customId) return row;
    return undefined;
  }

  /** Whether the item's row waits for the end of this batch. */
  isDeferred(id: number): boolean {
    return this.deferred.has(id);
  }

  /** The item is done: a deferred row is never written (call it last in its job). */
  finish(id: number): void {
    this.deferred.delete(id);
  }

  /** The chat is being erased within this batch: its deferred rows go with it. */
  dropChat(chatId: string): void {
    for (const [id, row] of this.deferred) if (row.chatId === chatId) this.deferred.delete(id);
  }

  /** End of the batch, inside its transaction: writes the rows still pending and stores the counter. */
  flush(): void {
    for (const row of this.deferred.values()) this.insertNow(row);
    this.deferred.clear();
    if (this.lastId > this.storedId) {
      const reserved = this.lastId + ID_BLOCK;
      this.q.setSeq.run(reserved, reserved);
      this.storedId = reserved;
    }
  }

  /** The batch committed: what its flush stored is durable. */
  committed(): void {
    this.committedId = this.storedId;
  }

  /** The batch rolled back: its rows are gone with it (its ids are simply never used), and so is its counter. */
  discard(): void {
    this.deferred.clear();
    this.storedId = this.committedId;
  }
}
