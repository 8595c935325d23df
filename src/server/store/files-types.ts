/** Visitor files, stored with the chat they were sent in (docs/http-api.md, "Visitor files"). */

/** What is known of a stored file without its bytes. */
export interface FileInfo {
  /** A random UUID v4: the file's id in URLs, pushes and `onFile`. */
  id: string;
  chatId: string;
  /** The name the visitor's browser gave it (kept for display and `Content-Disposition`). */
  name: string;
  /** Sniffed from the bytes (files/sniff.ts), never the client's claim. */
  contentType: string;
  /** Bytes. */
  size: number;
  createdAt: string;
}

/** A stored file with its bytes. */
export interface StoredFile extends FileInfo {
  data: Buffer;
}

/**
 * The files table of an engine. Files go with their chat: `Store.eraseChat` deletes them in its
 * transaction, so an erased chat leaves no file behind; `Store.trim` drops those past the
 * retention age, with their messages.
 */
export interface FilesStore {
  /** Stores a file (durably, before the promise resolves). `createdAt` is set by the store. */
  put(file: Omit<StoredFile, 'createdAt'>): Promise<FileInfo>;
  /** The file with its bytes, or undefined (never stored, deleted, or its chat erased). */
  get(id: string): Promise<StoredFile | undefined>;
  /** Deletes one file (an upload whose message could not be stored); false when there was none. */
  delete(id: string): Promise<boolean>;
}

/** A `files` row as both engines read it (same columns; bytes as a BLOB or a `bytea` Buffer). */
export function fileFromRow(row: Record<string, unknown>): StoredFile {
  return {
    id: String(row.id),
    chatId: String(row.chat_id),
    name: String(row.name),
    contentType: String(row.content_type),
    size: Number(row.size),
    createdAt: String(row.created_at),
    data: Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data as Uint8Array),
  };
}
