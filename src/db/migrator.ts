import { type Kysely, sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from './database.js';
import type { Dialect, Migration } from './migration.js';
import type { Tables } from './tables.js';

export interface MigrationStatus {
  applied: { version: number; name: string; appliedAt: string }[];
  pending: { version: number; name: string }[];
}

export interface MigratorOptions {
  clock: Clock;
  /** Names this process in the lease row, so a stuck lease says who holds it. */
  holder: string;
  /** How long a lease lasts without renewal; a crashed holder blocks others at most this long. */
  leaseMs?: number;
  /** Give up waiting for another node's lease after this long. */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (holder: string) => void;
}

const LEASE_ID = 1;

/**
 * Applies numbered migrations. Several nodes may run it at once: a lease row in a table (not an
 * advisory lock, which CockroachDB lacks) lets one node migrate while the others wait, and every
 * migration commits together with its bookkeeping row, so each is applied exactly once.
 */
export class Migrator {
  private readonly db: Kysely<Tables>;
  private readonly dialect: Dialect;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    database: Database,
    private readonly migrations: readonly Migration[],
    private readonly options: MigratorOptions,
  ) {
    this.db = database.kysely;
    this.dialect = database.source.dialect;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMs = options.waitMs ?? 300_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async status(): Promise<MigrationStatus> {
    await this.createBookkeeping();
    const rows = await this.db.selectFrom('gatehouse_migrations').selectAll().orderBy('version').execute();
    const applied = new Set(rows.map((row) => row.version));
    return {
      applied: rows.map((row) => ({ version: row.version, name: row.name, appliedAt: row.applied_at })),
      pending: this.migrations
        .filter((migration) => !applied.has(migration.version))
        .map(({ version, name }) => ({ version, name })),
    };
  }

  /** Applies every pending migration; returns those this call applied. */
  async up(): Promise<{ version: number; name: string }[]> {
    if ((await this.status()).pending.length === 0) return [];
    await this.acquireLease();
    const renewal = setInterval(() => void this.renewLease().catch(() => {}), Math.max(this.leaseMs / 3, 50));
    try {
      const applied: { version: number; name: string }[] = [];
      for (const migration of this.migrations) {
        const done = await this.db.transaction().execute(async (trx) => {
          const existing = await trx
            .selectFrom('gatehouse_migrations')
            .select('version')
            .where('version', '=', migration.version)
            .executeTakeFirst();
          if (existing) return false;
          await migration.up(trx as unknown as Kysely<unknown>, this.dialect);
          await trx
            .insertInto('gatehouse_migrations')
            .values({
              version: migration.version,
              name: migration.name,
              applied_at: this.options.clock.now().toISOString(),
            })
            .execute();
          return true;
        });
        if (done) applied.push({ version: migration.version, name: migration.name });
      }
      return applied;
    } finally {
      clearInterval(renewal);
      await this.releaseLease();
    }
  }

  /** Creates the two bookkeeping tables; tolerates another node creating them at the same moment. */
  private async createBookkeeping(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.schema
          .createTable('gatehouse_migrations')
          .ifNotExists()
          .addColumn('version', 'integer', (column) => column.primaryKey())
          .addColumn('name', 'varchar(255)', (column) => column.notNull())
          .addColumn('applied_at', 'varchar(64)', (column) => column.notNull())
          .execute();
        await this.db.schema
          .createTable('gatehouse_migration_lease')
          .ifNotExists()
          .addColumn('id', 'integer', (column) => column.primaryKey())
          .addColumn('holder', 'varchar(255)', (column) => column.notNull())
          .addColumn('expires_at', 'bigint', (column) => column.notNull())
          .execute();
        return;
      } catch (error) {
        // PostgreSQL checks IF NOT EXISTS before it takes the catalog lock, so two nodes creating
        // the same table can both pass the check; the loser fails on the catalog's unique index.
        if (attempt >= 5 || !isConcurrentCreate(error)) throw error;
        await this.sleep(20 + Math.random() * 80);
      }
    }
  }

  private async acquireLease(): Promise<void> {
    const deadline = this.options.clock.now().getTime() + this.waitMs;
    for (;;) {
      const now = this.options.clock.now().getTime();
      const row = await sql<{ holder: string }>`
        insert into gatehouse_migration_lease (id, holder, expires_at)
        values (${LEASE_ID}, ${this.options.holder}, ${now + this.leaseMs})
        on conflict (id) do update set holder = excluded.holder, expires_at = excluded.expires_at
        where gatehouse_migration_lease.expires_at < ${now} or gatehouse_migration_lease.holder = ${this.options.holder}
        returning holder`
        .execute(this.db)
        .then((result) => result.rows[0]);
      if (row?.holder === this.options.holder) return;
      const current = await this.db
        .selectFrom('gatehouse_migration_lease')
        .select('holder')
        .where('id', '=', LEASE_ID)
        .executeTakeFirst();
      if (now > deadline) {
        throw new Error(
          `another node (${current?.holder ?? 'unknown'}) has held the migration lease for too long; if it crashed, its lease expires within ${this.leaseMs / 1000}s`,
        );
      }
      this.options.onWait?.(current?.holder ?? 'unknown');
      await this.sleep(100 + Math.random() * 200);
    }
  }

  private async renewLease(): Promise<void> {
    await this.db
      .updateTable('gatehouse_migration_lease')
      .set({ expires_at: this.options.clock.now().getTime() + this.leaseMs })
      .where('id', '=', LEASE_ID)
      .where('holder', '=', this.options.holder)
      .execute();
  }

  private async releaseLease(): Promise<void> {
    await this.db
      .deleteFrom('gatehouse_migration_lease')
      .where('id', '=', LEASE_ID)
      .where('holder', '=', this.options.holder)
      .execute();
  }
}

function isConcurrentCreate(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === '42P07' || code === '40001';
}
