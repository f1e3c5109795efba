import { execFileSync } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { POSTGRES_ADMIN_URL } from './support/postgres-settings.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Null when PostgreSQL can be reached; otherwise why the PostgreSQL tests are skipped. */
    postgresUnavailable: string | null;
  }
}

/**
 * Builds dist/ (the tests run the real `gatehouse` binary) and finds out once whether PostgreSQL
 * is there. Without it the PostgreSQL tests are skipped with one line saying why, except on CI,
 * where a missing PostgreSQL is a failure.
 */
export default async function setup(project: TestProject): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

  let unavailable: string | null = null;
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    unavailable = `cannot connect to ${POSTGRES_ADMIN_URL}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
  if (unavailable !== null) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required on CI: ${unavailable}`);
    console.warn(
      `PostgreSQL tests skipped: ${unavailable} (set GATEHOUSE_TEST_POSTGRES_URL to use another server)`,
    );
  } else {
    console.log(`PostgreSQL tests run against ${POSTGRES_ADMIN_URL}`);
  }
  project.provide('postgresUnavailable', unavailable);
}
