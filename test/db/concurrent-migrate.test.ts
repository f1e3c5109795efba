import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { parseDsn } from '../../src/db/dsn.js';
import { migrations } from '../../src/db/migrations/index.js';
import { minimalIdentityYaml, writeConfig } from '../config/config-fixtures.js';
import { runGatehouse } from '../support/gatehouse-process.js';
import { createTestDatabase, postgresUnavailable } from '../support/postgres.js';

/** A Kratos config for `dsn`, as the portal's `-c kratos.yml migrate sql -e --yes` reads it. */
function configFor(dsn: string): string {
  return writeConfig(`kratos-${Math.random().toString(36).slice(2)}.yml`, minimalIdentityYaml(dsn));
}

/** Three nodes migrate one database at the same moment, each with another of the accepted command lines. */
async function migrateFromThreeProcesses(dsn: string) {
  const config = configFor('memory');
  return Promise.all([
    runGatehouse(['migrate', 'sql', '-e', '--yes'], { env: { DSN: dsn } }),
    // The portal's compose line; DSN from the environment overrides the file's.
    runGatehouse(['-c', config, 'migrate', 'sql', '-e', '--yes'], { env: { DSN: dsn } }),
    runGatehouse(['identity', 'migrate', '-c', configFor(dsn), '--yes']),
  ]);
}

async function expectOneSchema(dsn: string) {
  const db = openDatabase(parseDsn(dsn));
  try {
    const rows = await sql<{ version: number; n: number }>`
      select version, count(*) as n from gatehouse_migrations group by version order by version`.execute(
      db.kysely,
    );
    expect(rows.rows.map((row) => [Number(row.version), Number(row.n)])).toEqual(
      migrations.map((m) => [m.version, 1]),
    );
    const tables = (await db.kysely.introspection.getTables()).map((table) => table.name).sort();
    expect(tables).toEqual([
      'gatehouse_migration_lease',
      'gatehouse_migrations',
      'identities',
      'identity_credential_identifiers',
      'identity_credentials',
      'identity_recovery_addresses',
      'identity_verifiable_addresses',
      'selfservice_errors',
      'selfservice_flows',
      'sessions',
    ]);
  } finally {
    await db.close();
  }
}

describe('migrating from several processes at once', () => {
  it.skipIf(postgresUnavailable !== null)('leaves PostgreSQL with one schema and no error', async () => {
    const database = await createTestDatabase();
    try {
      const results = await migrateFromThreeProcesses(database.dsn);
      for (const result of results) {
        expect(result.stderr).not.toMatch(/error/i);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/The database schema is up to date|the schema is up to date/);
      }
      // Exactly one process applied the migrations; the others found them applied.
      expect(results.filter((result) => result.stdout.includes('applied  0001 identities'))).toHaveLength(1);
      await expectOneSchema(database.dsn);
      // A later run finds nothing to do.
      const again = await runGatehouse(['migrate', 'sql', 'status', database.dsn]);
      expect(again.stdout).toMatch(/^applied {2}0001 identities {2}\d{4}-/);
    } finally {
      await database.drop();
    }
  });

  it.skipIf(postgresUnavailable !== null)(
    'makes waiting nodes race for the lease when it frees up',
    async () => {
      const database = await createTestDatabase();
      const db = openDatabase(parseDsn(database.dsn));
      try {
        // A fourth node holds the lease; all three start, find it taken and wait; then it is released.
        await runGatehouse(['migrate', 'sql', 'status', database.dsn]);
        await sql`insert into gatehouse_migration_lease (id, holder, expires_at) values (1, 'node-4', ${Date.now() + 60_000})`.execute(
          db.kysely,
        );
        const waiting = new Set<number>();
        let release: () => void = () => {};
        const allWaiting = new Promise<void>((resolve) => {
          release = resolve;
        });
        const results = Promise.all(
          [0, 1, 2].map((index) =>
            runGatehouse(['migrate', 'sql', '-e', '--yes'], {
              env: { DSN: database.dsn },
              onStderr: (text) => {
                if (text.includes('waiting for node-4')) waiting.add(index);
                if (waiting.size === 3) release();
              },
            }),
          ),
        );
        await allWaiting;
        await sql`delete from gatehouse_migration_lease`.execute(db.kysely);
        const finished = await results;
        for (const result of finished) expect(result.code).toBe(0);
        expect(finished.filter((result) => result.stdout.includes('applied  0001 identities'))).toHaveLength(
          1,
        );
        await expectOneSchema(database.dsn);
      } finally {
        await db.close();
        await database.drop();
      }
    },
  );

  it('leaves SQLite with one schema and no error', async () => {
    const dsn = `sqlite://${join(mkdtempSync(join(tmpdir(), 'gatehouse-migrate-')), 'db.sqlite')}?_fk=true`;
    const results = await migrateFromThreeProcesses(dsn);
    for (const result of results) expect(result.code).toBe(0);
    await expectOneSchema(dsn);
  });

  it('asks for --yes when it cannot prompt', async () => {
    const dsn = `sqlite://${join(mkdtempSync(join(tmpdir(), 'gatehouse-migrate-')), 'db.sqlite')}`;
    const result = await runGatehouse(['migrate', 'sql', dsn]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `gatehouse: ${migrations.length} migration(s) pending; pass --yes to apply them without a prompt\n`,
    );
  });
});
