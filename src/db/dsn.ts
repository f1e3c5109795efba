import { redactUrlPassword } from '../config/redact.js';

/** A parsed DSN in one of the forms Kratos accepts. */
export type DataSource =
  | {
      dialect: 'sqlite';
      /** File path, or `:memory:`. */
      filename: string;
      readOnly: boolean;
      /** Create the file when missing (`mode=rwc`, the default). */
      create: boolean;
      busyTimeoutMs: number;
    }
  | {
      dialect: 'postgres';
      /** `postgres` or `cockroach`: same wire protocol and SQL dialect here. */
      flavor: 'postgres' | 'cockroach';
      /** Connection string for `pg`, without the pool settings below. */
      connectionString: string;
      maxConnections: number;
      maxIdleConnections?: number;
      maxConnectionLifetimeMs?: number;
      idleTimeoutMs?: number;
    };

export class DsnError extends Error {
  override name = 'DsnError';
}

// Query parameters that tune the connection pool rather than the connection, as in Ory's DSNs.
const POOL_PARAMETERS = ['max_conns', 'max_idle_conns', 'max_conn_lifetime', 'max_idle_conn_time'];

/**
 * Reads a DSN as Kratos does: `memory`, `sqlite:///path?_fk=true`, `sqlite://file:path?mode=rwc`,
 * `sqlite3://...`, `postgres://`, `postgresql://`, `cockroach://`. Error messages never repeat the
 * password.
 */
export function parseDsn(dsn: string): DataSource {
  const shown = redactUrlPassword(dsn);
  if (dsn === 'memory' || dsn === 'sqlite://:memory:' || dsn.startsWith('sqlite://file::memory:')) {
    return { dialect: 'sqlite', filename: ':memory:', readOnly: false, create: true, busyTimeoutMs: 5000 };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(dsn)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'sqlite':
    case 'sqlite3':
      return parseSqlite(dsn.slice(scheme.length + 3), shown);
    case 'postgres':
    case 'postgresql':
    case 'cockroach':
    case 'cockroachdb':
      return parsePostgres(dsn, scheme, shown);
    case 'mysql':
      throw new DsnError(
        `dsn "${shown}": MySQL is not supported by gatehouse; use PostgreSQL, CockroachDB or SQLite (see docs/configuration.md)`,
      );
    case undefined:
      throw new DsnError(
        `dsn "${shown}": not a DSN; expected "memory", "sqlite:///path/to/db.sqlite?_fk=true" or "postgres://user:password@host:5432/database"`,
      );
    default:
      throw new DsnError(
        `dsn "${shown}": unsupported scheme "${scheme}://"; use sqlite://, postgres:// or cockroach://`,
      );
  }
}

function parseSqlite(rest: string, shown: string): DataSource {
  const [location = '', query = ''] = splitOnce(rest, '?');
  const params = new URLSearchParams(query);
  let filename = location.startsWith('file:') ? location.slice('file:'.length) : location;
  if (filename === '')
    throw new DsnError(`dsn "${shown}": no database file; use sqlite:///absolute/path.sqlite`);
  filename = decodeURIComponent(filename);
  const mode = params.get('mode') ?? 'rwc';
  if (!['ro', 'rw', 'rwc', 'memory'].includes(mode)) {
    throw new DsnError(`dsn "${shown}": mode must be ro, rw, rwc or memory`);
  }
  const busy = params.get('_busy_timeout') ?? params.get('_timeout');
  if (busy !== null && !/^\d+$/.test(busy))
    throw new DsnError(`dsn "${shown}": _busy_timeout must be milliseconds`);
  if (mode === 'memory' || filename === ':memory:') {
    return { dialect: 'sqlite', filename: ':memory:', readOnly: false, create: true, busyTimeoutMs: 5000 };
  }
  return {
    dialect: 'sqlite',
    filename,
    readOnly: mode === 'ro',
    create: mode === 'rwc',
    busyTimeoutMs: busy === null ? 5000 : Number(busy),
  };
}

function parsePostgres(dsn: string, scheme: string, shown: string): DataSource {
  if (/^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:[/?#]|$)/i.test(dsn))
    throw new DsnError(`dsn "${shown}": no host`);
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new DsnError(`dsn "${shown}": not a valid URL`);
  }
  const number = (name: string): number | undefined => {
    const value = url.searchParams.get(name);
    if (value === null) return undefined;
    if (!/^\d+$/.test(value)) throw new DsnError(`dsn "${shown}": ${name} must be a whole number`);
    return Number(value);
  };
  const duration = (name: string): number | undefined => {
    const value = url.searchParams.get(name);
    if (value === null) return undefined;
    const match = /^(\d+)(ms|s|m|h)$/.exec(value);
    if (!match) throw new DsnError(`dsn "${shown}": ${name} must be a duration such as 30s`);
    return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  };
  const maxConnections = number('max_conns') ?? 10;
  const maxIdleConnections = number('max_idle_conns');
  const maxConnectionLifetimeMs = duration('max_conn_lifetime');
  const idleTimeoutMs = duration('max_idle_conn_time');
  for (const name of POOL_PARAMETERS) url.searchParams.delete(name);
  url.protocol = 'postgres:';
  return {
    dialect: 'postgres',
    flavor: scheme.startsWith('cockroach') ? 'cockroach' : 'postgres',
    connectionString: url.toString(),
    maxConnections,
    maxIdleConnections,
    maxConnectionLifetimeMs,
    idleTimeoutMs,
  };
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}
