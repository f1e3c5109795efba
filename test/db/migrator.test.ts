import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { parseDsn } from '../../src/db/dsn.js';
import type { Migration } from '../../src/db/migration.js';
import { migrations } from '../../src/db/migrations/index.js';
import { Migrator } from '../../src/db/migrator.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../support/postgres.js';

const fixedClock = { now: () => new Date('2026-01-02T03:04:05.000Z') };

function suite(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(`migrations on ${name}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ db, cleanup } = await open());
    });
    afterAll(async () => {
      await db.close();
      await cleanup();
    });

    it('lists every migration as pending on an empty database, then applies them once', async () => {
      const migrator = new Migrator(db, migrations, { clock: fixedClock, holder: 'test' });
      expect((await migrator.status()).pending.map((m) => m.name)).toEqual(migrations.map((m) => m.name));
      expect(await migrator.up()).toEqual(migrations.map(({ version, name }) => ({ version, name })));
      const status = await migrator.status();
      expect(status.pending).toEqual([]);
      expect(status.applied.map((m) => [m.version, m.appliedAt])).toEqual(
        migrations.map((m) => [m.version, '2026-01-02T03:04:05.000Z']),
      );
      expect(await migrator.up()).toEqual([]);
    });

    it('creates tables that enforce unique identifiers', async () => {
      const now = new Date().toISOString();
      const insert = (id: string) =>
        sql`insert into identities (id, schema_id, traits, state, created_at, updated_at)
            values (${id}, 'default', '{}', 'active', ${now}, ${now})`.execute(db.kysely);
      await insert('00000000-0000-4000-8000-000000000001');
      await expect(insert('00000000-0000-4000-8000-000000000001')).rejects.toThrow();
    });

    it('rolls a failing migration back completely and leaves it pending', async () => {
      const broken: Migration = {
        version: 9001,
        name: 'broken',
        async up(trx: Kysely<unknown>) {
          await trx.schema.createTable('half_made').addColumn('id', 'integer').execute();
          throw new Error('boom');
        },
      };
      const migrator = new Migrator(db, [...migrations, broken], { clock: fixedClock, holder: 'test' });
      await expect(migrator.up()).rejects.toThrow('boom');
      expect((await migrator.status()).pending.map((m) => m.name)).toEqual(['broken']);
      const tables = await db.kysely.introspection.getTables();
      expect(tables.map((table) => table.name)).not.toContain('half_made');
      // The lease was released: another migrator does not have to wait for it to expire.
      const lease = await sql<{ n: number }>`select count(*) as n from gatehouse_migration_lease`.execute(
        db.kysely,
      );
      expect(Number(lease.rows[0]!.n)).toBe(0);
    });

    it('waits while another node holds a live lease, and takes over an expired one', async () => {
      const migration: Migration = {
        version: 9002,
        name: 'after_lease',
        async up(trx: Kysely<unknown>) {
          await trx.schema.createTable('after_lease').addColumn('id', 'integer').execute();
        },
      };
      let now = Date.parse('2026-01-02T03:04:05.000Z');
      const clock = { now: () => new Date(now) };
      await sql`insert into gatehouse_migration_lease (id, holder, expires_at) values (1, 'other-node', ${now + 1000})`.execute(
        db.kysely,
      );
      const waitedFor: string[] = [];
      const migrator = new Migrator(db, [migration], {
        clock,
        holder: 'this-node',
        leaseMs: 1000,
        onWait: (holder) => waitedFor.push(holder),
        // Each wait moves the fake clock on, so the other node's lease runs out without sleeping.
        sleep: async () => {
          now += 400;
        },
      });
      expect(await migrator.up()).toEqual([{ version: 9002, name: 'after_lease' }]);
      expect(waitedFor).toEqual(['other-node', 'other-node', 'other-node']);
    });
  });
}

suite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-migrate-'));
  return {
    db: openDatabase(parseDsn(`sqlite://${join(dir, 'db.sqlite')}?_fk=true`)),
    cleanup: async () => {},
  };
});

describe.skipIf(postgresUnavailable !== null)('PostgreSQL', () => {
  suite('PostgreSQL', async () => {
    const database: TestDatabase = await createTestDatabase();
    return { db: openDatabase(parseDsn(database.dsn)), cleanup: () => database.drop() };
  });
});
