import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DataSource } from './dsn.js';
import { cachingStatements } from './statement-cache.js';
import type { Tables } from './tables.js';

/** An open database: the query builder, what it is, and how to check and close it. */
export interface Database {
  kysely: Kysely<Tables>;
  source: DataSource;
  /** Resolves when a trivial query succeeds. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Create the SQLite file's folder when it is missing (dev mode). */
  createSqliteFolder?: boolean;
}

export function openDatabase(source: DataSource, options: OpenDatabaseOptions = {}): Database {
  const kysely = source.dialect === 'sqlite' ? openSqlite(source, options) : openPostgres(source);
  let closed: Promise<void> | undefined;
  return {
    kysely,
    source,
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    close() {
      closed ??= kysely.destroy();
      return closed;
    },
  };
}

function openSqlite(
  source: Extract<DataSource, { dialect: 'sqlite' }>,
  options: OpenDatabaseOptions,
): Kysely<Tables> {
  if (options.createSqliteFolder && source.filename !== ':memory:')
    mkdirSync(dirname(source.filename), { recursive: true });
  let connection: SqliteDatabase.Database;
  try {
    connection = new SqliteDatabase(source.filename, {
      readonly: source.readOnly,
      fileMustExist: !source.create,
      timeout: source.busyTimeoutMs,
    });
  } catch (error) {
    throw new Error(`cannot open SQLite database ${source.filename}: ${(error as Error).message}`);
  }
  if (source.filename !== ':memory:' && !source.readOnly) {
    // WAL lets readers run beside the writer; synchronous=FULL makes every commit reach the disk
    // before it returns, so a write that was answered survives kill -9 and power loss alike.
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
  }
  connection.pragma('foreign_keys = ON');
  return new Kysely<Tables>({ dialect: new SqliteDialect({ database: cachingStatements(connection) }) });
}

function openPostgres(source: Extract<DataSource, { dialect: 'postgres' }>): Kysely<Tables> {
  const pool = new pg.Pool({
    connectionString: source.connectionString,
    max: source.maxConnections,
    idleTimeoutMillis: source.idleTimeoutMs ?? 30_000,
    maxLifetimeSeconds: source.maxConnectionLifetimeMs ? Math.ceil(source.maxConnectionLifetimeMs / 1000) : 0,
    // Fail fast when the server is gone, so readiness reports it instead of hanging.
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}
