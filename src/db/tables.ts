import type { ColumnType } from 'kysely';

/**
 * Row types of gatehouse's tables, as the database returns them. Timestamps are `timestamptz`
 * on PostgreSQL (returned as Date) and ISO-8601 text on SQLite; JSON is `jsonb` on PostgreSQL
 * (returned parsed) and text on SQLite. Repositories normalise both.
 */
type Timestamp = ColumnType<Date | string, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;
type Bool = ColumnType<boolean | number, boolean | number, boolean | number>;

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface MigrationLeaseTable {
  id: number;
  holder: string;
  expires_at: ColumnType<number | string, number, number>;
}

export interface IdentitiesTable {
  id: string;
  schema_id: string;
  traits: Json;
  state: string;
  state_changed_at: Timestamp | null;
  metadata_public: Json | null;
  metadata_admin: Json | null;
  external_id: string | null;
  organization_id: string | null;
  available_aal: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityCredentialsTable {
  id: string;
  identity_id: string;
  type: string;
  config: Json;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityCredentialIdentifiersTable {
  id: string;
  identity_credential_id: string;
  identity_id: string;
  type: string;
  identifier: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityVerifiableAddressesTable {
  id: string;
  identity_id: string;
  via: string;
  value: string;
  verified: Bool;
  verified_at: Timestamp | null;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityRecoveryAddressesTable {
  id: string;
  identity_id: string;
  via: string;
  value: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  identity_id: string;
  token_hash: string;
  logout_token_hash: string;
  active: Bool;
  issued_at: Timestamp;
  authenticated_at: Timestamp;
  expires_at: Timestamp;
  aal: string;
  authentication_methods: Json;
  devices: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SelfserviceFlowsTable {
  id: string;
  kind: string;
  type: string;
  state: string;
  request_url: string;
  return_to: string;
  csrf_token: string;
  identity_id: string | null;
  active: string | null;
  ui: Json;
  data: Json;
  issued_at: Timestamp;
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SelfserviceErrorsTable {
  id: string;
  error: Json;
  csrf_token: string;
  seen_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Tables {
  gatehouse_migrations: MigrationsTable;
  gatehouse_migration_lease: MigrationLeaseTable;
  identities: IdentitiesTable;
  identity_credentials: IdentityCredentialsTable;
  identity_credential_identifiers: IdentityCredentialIdentifiersTable;
  identity_verifiable_addresses: IdentityVerifiableAddressesTable;
  identity_recovery_addresses: IdentityRecoveryAddressesTable;
  sessions: SessionsTable;
  selfservice_flows: SelfserviceFlowsTable;
  selfservice_errors: SelfserviceErrorsTable;
}
