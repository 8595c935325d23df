/** The PostgreSQL {@link FilesStore}: the same table as files-sqlite.ts, bytes as `bytea`. */
import type pg from 'pg';
import { fileFromRow, type FileInfo, type FilesStore } from '../files-types';

export const FILES_MIGRATION = `
  CREATE TABLE files (
    id text PRIMARY KEY,
    chat_id text NOT NULL,
    name text NOT NULL,
    content_type text NOT NULL,
    size integer NOT NULL,
    data bytea NOT NULL,
    created_at text NOT NULL
  );
  CREATE INDEX files_chat ON files (chat_id);
`;

type Row = Record<string, unknown>;


/** Files in `pool`; each write is its own (durable) statement. */
export function postgresFilesStore(pool: pg.Pool, now: () => Date): FilesStore {
  return {
    async put(file): Promise<FileInfo> {
      const createdAt = now().toISOString();
      await pool.query('INSERT INTO files (id, chat_id, name, content_type, size, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        file.id,
        file.chatId,
        file.name,
        file.contentType,
        file.size,
        file.data,
        createdAt,
      ]);
      return { id: file.id, chatId: file.chatId, name: file.name, contentType: file.contentType, size: file.size, createdAt };
    },
    async get(id) {
      const row = (await pool.query<Row>('SELECT * FROM files WHERE id = $1', [id])).rows[0];
      return row ? fileFromRow(row) : undefined;
    },
    async delete(id) {
      return ((await pool.query('DELETE FROM files WHERE id = $1', [id])).rowCount ?? 0) > 0;
    },
  };
}
