/** How the PostgreSQL engine sends its statements. */
import type pg from 'pg';
import type { Row } from '../sqlite-rows';
import type { Client } from './db';

const statementNames = new Map<string, string>();

/**
 * A named (server-side prepared) statement: each connection parses and plans it once, then only
 * binds and runs it, which halves the database's CPU per statement here. The texts are the
 * engine's own constants and their few variants, so the names stay few.
 */
export function stmt(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `roundel_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

export const one = async (client: Client | pg.Pool, sql: string, values: unknown[]): Promise<Row | undefined> =>
  (await client.query<Row>(stmt(sql, values))).rows[0];
