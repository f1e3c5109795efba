import type { Database as SqliteConnection, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const DEFAULT_LIMIT = 1000;

/**
 * A SQLite connection for Kysely that compiles each distinct SQL text once. Kysely's SQLite
 * driver calls `prepare` for every query, and compiling the statement was the largest single cost
 * of a whoami (16 % of its CPU). better-sqlite3 statements can be run again and again, and
 * recompile themselves after a schema change.
 *
 * `iterate` (streaming) gets a statement of its own: a cached one could be asked to run a second
 * query while the stream still holds it. The cache is bounded: `in (?, ?, …)` lists make a text
 * per list length, so it starts over when full.
 */
export function cachingStatements(connection: SqliteConnection, limit = DEFAULT_LIMIT): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => connection.close(),
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) return statement;
      const compiled: Statement = connection.prepare(sql);
      statement = {
        reader: compiled.reader,
        all: (parameters) => compiled.all(parameters),
        run: (parameters) => compiled.run(parameters),
        iterate: (parameters) => connection.prepare(sql).iterate(parameters) as IterableIterator<unknown>,
      };
      if (cache.size >= limit) cache.clear();
      cache.set(sql, statement);
      return statement;
    },
  };
}
