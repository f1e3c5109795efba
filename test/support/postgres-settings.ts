/** The PostgreSQL server tests create their databases on (CI: trust auth on 127.0.0.1:5432). */
export const POSTGRES_ADMIN_URL =
  process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
