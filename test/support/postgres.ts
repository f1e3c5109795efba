import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { POSTGRES_ADMIN_URL } from './postgres-settings.js';

/** Why PostgreSQL tests cannot run here, or null when they can. */
export const postgresUnavailable = inject('postgresUnavailable');

export interface TestDatabase {
  dsn: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of its own for one test file; `drop` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dsn: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A database a suite runs on: its name for the test title, and how to make a fresh one. */
export type StorageBackend = [
  name: string,
  create: () => Promise<{ dsn: string; drop?: () => Promise<void> }>,
];

/**
 * The storage backends every identity suite runs on: in-memory SQLite always, PostgreSQL when it
 * is reachable (global-setup prints why not, and CI never skips it).
 */
export const storageBackends: StorageBackend[] = [
  ['SQLite', async () => ({ dsn: 'memory' })],
  ...(postgresUnavailable === null ? [['PostgreSQL', createTestDatabase] as StorageBackend] : []),
];
