import type { Kysely } from 'kysely';
import { columnTypes, type Dialect, type Migration } from '../migration.js';

/** Sessions: who is signed in, until when, and how. Tokens are stored hashed. */
export const sessions: Migration = {
  version: 2,
  name: 'sessions',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    const types = columnTypes(dialect);
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('identity_id', 'varchar(36)', (column) =>
        column.notNull().references('identities.id').onDelete('cascade'),
      )
      // SHA-256 of the session token (hex): a leaked table does not sign anyone in.
      .addColumn('token_hash', 'varchar(64)', (column) => column.notNull().unique())
      .addColumn('logout_token_hash', 'varchar(64)', (column) => column.notNull().unique())
      .addColumn('active', types.boolean, (column) => column.notNull())
      .addColumn('issued_at', types.timestamp, (column) => column.notNull())
      .addColumn('authenticated_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .addColumn('aal', 'varchar(8)', (column) => column.notNull())
      .addColumn('authentication_methods', types.json, (column) => column.notNull())
      .addColumn('devices', types.json, (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('sessions_identity_id_idx').on('sessions').column('identity_id').execute();
  },
};
