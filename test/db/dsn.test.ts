import { describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/db/dsn.js';

describe('DSNs in the forms Kratos accepts', () => {
  it('`memory` is an in-memory SQLite database', () => {
    expect(parseDsn('memory')).toMatchObject({ dialect: 'sqlite', filename: ':memory:' });
    expect(parseDsn('sqlite://file::memory:?_fk=true')).toMatchObject({
      dialect: 'sqlite',
      filename: ':memory:',
    });
  });

  it('sqlite:// and sqlite3:// name a file, absolute or relative, with or without file:', () => {
    expect(parseDsn('sqlite:///var/lib/kratos/db.sqlite?_fk=true&mode=rwc')).toMatchObject({
      dialect: 'sqlite',
      filename: '/var/lib/kratos/db.sqlite',
      create: true,
      readOnly: false,
    });
    expect(parseDsn('sqlite3://./data/db.sqlite')).toMatchObject({ filename: './data/db.sqlite' });
    expect(parseDsn('sqlite://file:/tmp/x.db?mode=ro')).toMatchObject({
      filename: '/tmp/x.db',
      readOnly: true,
    });
    expect(parseDsn('sqlite:///tmp/x.db?_busy_timeout=250')).toMatchObject({ busyTimeoutMs: 250 });
  });

  it('postgres://, postgresql:// and cockroach:// share the PostgreSQL dialect; pool settings are taken out', () => {
    const source = parseDsn(
      'cockroach://root@cockroach:26257/defaultdb?sslmode=disable&max_conns=20&max_idle_conns=4',
    );
    expect(source).toMatchObject({
      dialect: 'postgres',
      flavor: 'cockroach',
      maxConnections: 20,
      maxIdleConnections: 4,
    });
    expect(source.dialect === 'postgres' && source.connectionString).toBe(
      'postgres://root@cockroach:26257/defaultdb?sslmode=disable',
    );
    expect(parseDsn('postgresql://u:p@db:5432/kratos')).toMatchObject({
      dialect: 'postgres',
      flavor: 'postgres',
    });
    expect(parseDsn('postgres://u@db/kratos?max_conn_lifetime=5m')).toMatchObject({
      maxConnectionLifetimeMs: 300_000,
    });
  });

  it('refuses what it cannot open, without repeating the password', () => {
    expect(() => parseDsn('mysql://root:s3cret@tcp(db:3306)/kratos')).toThrow(
      'dsn "mysql://root:[redacted]@tcp(db:3306)/kratos": MySQL is not supported by gatehouse',
    );
    expect(() => parseDsn('postgres://u:s3cret@db/k?max_conns=many')).toThrow(
      'dsn "postgres://u:[redacted]@db/k?max_conns=many": max_conns must be a whole number',
    );
    expect(() => parseDsn('sqlite:///tmp/x.db?mode=rwx')).toThrow('mode must be ro, rw, rwc or memory');
    expect(() => parseDsn('/var/lib/db.sqlite')).toThrow('not a DSN');
    expect(() => parseDsn('sqlite://')).toThrow('no database file');
  });
});
