/** The SQLite {@link FilesStore}: one table, {@link FILES_MIGRATION} in schema.ts's list; bytes as a BLOB. */
import type Database from 'better-sqlite3';
import { fileFromRow, type FileInfo, type FilesStore } from './files-types';

export const FILES_MIGRATION = `
  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    chat_id TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX files_chat ON files (chat_id);
`;

type Row = Record<string, unknown>;

/** Runs `job` in the store's group commit; `bytes` is roughly what it writes. */
export type Write = <T>(job: () => T, bytes?: number) => Promise<T>;


/** Files in `db`; writes go through `write` (the group commit), so they are durable once resolved. */
export function sqliteFilesStore(db: Database.Database, write: Write, now: () => Date): FilesStore {
  const q = {
    insert: db.prepare('INSERT INTO files (id, chat_id, name, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    get: db.prepare('SELECT * FROM files WHERE id = ?'),
    delete: db.prepare('DELETE FROM files WHERE id = ?'),
  };
  return {
    put: (file) =>
      write((): FileInfo => {
        const createdAt = now().toISOString();
        q.insert.run(file.id, file.chatId, file.name, file.contentType, file.size, file.data, createdAt);
        return { id: file.id, chatId: file.chatId, name: file.name, contentType: file.contentType, size: file.size, createdAt };
      }, file.size),
    get: (id) => {
      try {
        const row = q.get.get(id) as Row | undefined;
        return Promise.resolve(row ? fileFromRow(row) : undefined);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    delete: (id) => write(() => q.delete.run(id).changes > 0),
  };
}
