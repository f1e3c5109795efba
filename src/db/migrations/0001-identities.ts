import type { Kysely } from 'kysely';
import { columnTypes, type Dialect, type Migration } from '../migration.js';

/** Identities, their credentials, credential identifiers and addresses. */
export const identities: Migration = {
  version: 1,
  name: 'identities',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    const types = columnTypes(dialect);
    await db.schema
      .createTable('identities')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('schema_id', 'varchar(255)', (column) => column.notNull())
      .addColumn('traits', types.json, (column) => column.notNull())
      .addColumn('state', 'varchar(32)', (column) => column.notNull().defaultTo('active'))
      .addColumn('state_changed_at', types.timestamp)
      .addColumn('metadata_public', types.json)
      .addColumn('metadata_admin', types.json)
      .addColumn('external_id', 'varchar(255)', (column) => column.unique())
      .addColumn('organization_id', 'varchar(36)')
      .addColumn('available_aal', 'varchar(16)')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('identity_credentials')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('identity_id', 'varchar(36)', (column) =>
        column.notNull().references('identities.id').onDelete('cascade'),
      )
      .addColumn('type', 'varchar(32)', (column) => column.notNull())
      .addColumn('config', types.json, (column) => column.notNull())
      .addColumn('version', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addUniqueConstraint('identity_credentials_identity_type_uq', ['identity_id', 'type'])
      .execute();

    await db.schema
      .createTable('identity_credential_identifiers')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('identity_credential_id', 'varchar(36)', (column) =>
        column.notNull().references('identity_credentials.id').onDelete('cascade'),
      )
      .addColumn('identity_id', 'varchar(36)', (column) =>
        column.notNull().references('identities.id').onDelete('cascade'),
      )
      .addColumn('type', 'varchar(32)', (column) => column.notNull())
      .addColumn('identifier', 'varchar(400)', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      // Identifiers are unique per credential type: two people cannot sign in with the same email.
      .addUniqueConstraint('identity_credential_identifiers_type_identifier_uq', ['type', 'identifier'])
      .execute();

    await db.schema
      .createTable('identity_verifiable_addresses')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('identity_id', 'varchar(36)', (column) =>
        column.notNull().references('identities.id').onDelete('cascade'),
      )
      .addColumn('via', 'varchar(16)', (column) => column.notNull())
      .addColumn('value', 'varchar(400)', (column) => column.notNull())
      .addColumn('verified', types.boolean, (column) => column.notNull())
      .addColumn('verified_at', types.timestamp)
      .addColumn('status', 'varchar(16)', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addUniqueConstraint('identity_verifiable_addresses_via_value_uq', ['via', 'value'])
      .execute();

    await db.schema
      .createTable('identity_recovery_addresses')
      .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
      .addColumn('identity_id', 'varchar(36)', (column) =>
        column.notNull().references('identities.id').onDelete('cascade'),
      )
      .addColumn('via', 'varchar(16)', (column) => column.notNull())
      .addColumn('value', 'varchar(400)', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addUniqueConstraint('identity_recovery_addresses_via_value_uq', ['via', 'value'])
      .execute();

    for (const table of [
      'identity_credentials',
      'identity_credential_identifiers',
      'identity_verifiable_addresses',
      'identity_recovery_addresses',
    ]) {
      await db.schema.createIndex(`${table}_identity_id_idx`).on(table).column('identity_id').execute();
    }
  },
};
