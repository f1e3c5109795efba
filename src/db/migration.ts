import type { Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Column types that differ between the dialects, for migrations to use. */
export interface ColumnTypes {
  timestamp: 'timestamptz' | 'text';
  json: 'jsonb' | 'text';
  boolean: 'boolean' | 'integer';
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  return dialect === 'postgres'
    ? { timestamp: 'timestamptz', json: 'jsonb', boolean: 'boolean' }
    : { timestamp: 'text', json: 'text', boolean: 'integer' };
}

/**
 * One numbered schema change. `up` runs inside a transaction together with the bookkeeping row,
 * so a migration is applied completely or not at all. Applied migrations are never edited: a
 * change to the schema is a new migration.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}
