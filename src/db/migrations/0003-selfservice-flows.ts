import type { Kysely } from 'kysely';
import { columnTypes, type Dialect, type Migration } from '../migration.js';

/**
 * Self-service flows (login, registration, settings, recovery, verification) and the errors
 * shown to browsers. A flow is data: its `ui` container is stored as the JSON every UI renders.
 */
export const selfserviceFlows: Migration = {
  version: 3,
  name: 'selfservice_flows',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    const types = columnTypes(dialect);
    await db.schema
      .createTable('selfservice_flows')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('kind', 'varchar(16)', (column) => column.notNull())
      .addColumn('type', 'varchar(8)', (column) => column.notNull())
      .addColumn('state', 'varchar(32)', (column) => column.notNull())
      .addColumn('request_url', 'text', (column) => column.notNull())
      .addColumn('return_to', 'text', (column) => column.notNull())
      // The raw CSRF token of a browser flow (its cookie's value); empty for API flows.
      .addColumn('csrf_token', 'varchar(64)', (column) => column.notNull())
      .addColumn('identity_id', 'varchar(36)', (column) =>
        column.references('identities.id').onDelete('cascade'),
      )
      .addColumn('active', 'varchar(32)')
      .addColumn('ui', types.json, (column) => column.notNull())
      // What only some kinds have: refresh and requested_aal (login), transient_payload ...
      .addColumn('data', types.json, (column) => column.notNull())
      .addColumn('issued_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('selfservice_flows_expires_at_idx')
      .on('selfservice_flows')
      .column('expires_at')
      .execute();
    await db.schema
      .createTable('selfservice_errors')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('error', types.json, (column) => column.notNull())
      // Only the browser that saw the error may read it back (its CSRF cookie).
      .addColumn('csrf_token', 'varchar(64)', (column) => column.notNull())
      .addColumn('seen_at', types.timestamp)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
  },
};
